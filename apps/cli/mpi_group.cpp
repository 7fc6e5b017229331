// MPI for the CLI: used only when the program was started by mpirun/mpiexec (their environment
// variables say so); a plain start is one process and never touches MPI. The library only sees
// the ProcessGroup interface.
#include "cli/mpi_group.hpp"

#if GUTSKIN_HAVE_MPI
#include <mpi.h>
#endif

#include <cstdlib>
#include <string>

#include "gutskin/errors.hpp"

namespace gutskin::cli {

namespace {

bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK",
                          "MPI_LOCALNRANKS", "HYDI_CONTROL_FD"})
    if (std::getenv(var) != nullptr) return true;
  return false;
}

}  // namespace

#if GUTSKIN_HAVE_MPI

MpiGroup::MpiGroup() {
  if (!launched_by_mpi()) return;
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) throw Error("MPI_Init failed");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  mpi_ = true;
}

MpiGroup::~MpiGroup() {
  if (!mpi_) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

void MpiGroup::barrier() const {
  if (mpi_) MPI_Barrier(MPI_COMM_WORLD);
}

long long MpiGroup::sum(long long value) const {
  if (!mpi_) return value;
  long long total = 0;
  MPI_Allreduce(&value, &total, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

std::vector<double> MpiGroup::gather(const std::vector<double>& values) const {
  if (!mpi_) return values;
  const int mine = static_cast<int>(values.size());
  std::vector<int> counts(size_), offsets(size_, 0);
  MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  for (int r = 1; r < size_; ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<double> all(static_cast<std::size_t>(offsets.back() + counts.back()));
  MPI_Allgatherv(values.data(), mine, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                 MPI_COMM_WORLD);
  return all;
}

#else  // built without MPI (GUTSKIN_WITH_MPI=OFF): one process

MpiGroup::MpiGroup() {
  if (!launched_by_mpi()) return;
  // K copies that each ran every patient and wrote the same files would be silently wrong.
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* value = std::getenv(var);
    if (value != nullptr && std::atoi(value) > 1)
      throw Error(std::string("started by mpirun with ") + value +
                  " processes, but gutskin was built without MPI (GUTSKIN_WITH_MPI=OFF): run it as one process");
  }
}

MpiGroup::~MpiGroup() = default;
void MpiGroup::barrier() const {}
long long MpiGroup::sum(long long value) const { return value; }
std::vector<double> MpiGroup::gather(const std::vector<double>& values) const { return values; }

#endif

}  // namespace gutskin::cli
