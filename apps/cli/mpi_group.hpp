// The processes of one `mpirun -n K gutskin trial ...`: MPI when started by mpirun, otherwise
// one process and no MPI at all. One per program run: MPI is initialised by the first and
// finalised when it is destroyed.
#pragma once

#include "gutskin/ensemble.hpp"

namespace gutskin::cli {

class MpiGroup final : public ProcessGroup {
 public:
  MpiGroup();
  ~MpiGroup() override;
  MpiGroup(const MpiGroup&) = delete;
  MpiGroup& operator=(const MpiGroup&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void barrier() const override;
  long long sum(long long value) const override;
  std::vector<double> gather(const std::vector<double>& values) const override;

 private:
  int rank_ = 0, size_ = 1;
  bool mpi_ = false;
};

}  // namespace gutskin::cli
