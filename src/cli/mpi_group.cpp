// MPI for the CLI: used only when the program was started by mpirun/mpiexec (their environment
// variables say so); a plain start is one process and never touches MPI. The library only sees
// the ProcessGroup interface.
#include "cli/mpi_group.hpp"

#include <mpi.h>

#include <cstdlib>

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

}  // namespace gutskin::cli
