// Move-only owners of SUNDIALS objects and one checked-call helper.
#pragma once

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "gutskin/errors.hpp"

namespace gutskin::detail {

struct ContextDeleter { void operator()(SUNContext c) const { SUNContext_Free(&c); } };
struct VectorDeleter { void operator()(N_Vector v) const { N_VDestroy(v); } };
struct MatrixDeleter { void operator()(SUNMatrix m) const { SUNMatDestroy(m); } };
struct SolverDeleter { void operator()(SUNLinearSolver s) const { SUNLinSolFree(s); } };
struct CvodeDeleter { void operator()(void* m) const { CVodeFree(&m); } };

using ContextPtr = std::unique_ptr<std::remove_pointer_t<SUNContext>, ContextDeleter>;
using VectorPtr = std::unique_ptr<std::remove_pointer_t<N_Vector>, VectorDeleter>;
using MatrixPtr = std::unique_ptr<std::remove_pointer_t<SUNMatrix>, MatrixDeleter>;
using SolverPtr = std::unique_ptr<std::remove_pointer_t<SUNLinearSolver>, SolverDeleter>;
using CvodePtr = std::unique_ptr<void, CvodeDeleter>;

/// An owned array of N_Vectors (forward sensitivities: one vector per parameter).
class VectorArray {
 public:
  VectorArray() = default;
  VectorArray(int count, N_Vector like) : v_(N_VCloneVectorArray(count, like)), count_(v_ ? count : 0) {}
  VectorArray(VectorArray&& o) noexcept : v_(std::exchange(o.v_, nullptr)), count_(std::exchange(o.count_, 0)) {}
  VectorArray& operator=(VectorArray&& o) noexcept {
    std::swap(v_, o.v_), std::swap(count_, o.count_);
    return *this;
  }
  ~VectorArray() {
    if (v_) N_VDestroyVectorArray(v_, count_);
  }
  N_Vector* get() const { return v_; }
  int size() const { return count_; }
  double* data(int k) const { return N_VGetArrayPointer(v_[k]); }

 private:
  N_Vector* v_ = nullptr;
  int count_ = 0;
};

/// A negative SUNDIALS flag from a set-up call is a programming error here: report it loudly.
inline void check_flag(int flag, const char* function) {
  if (flag < 0) {
    char* name = CVodeGetReturnFlagName(flag);
    std::string msg = std::string(function) + " failed: " + (name ? name : "?");
    free(name);
    throw SolverError(msg);
  }
}

}  // namespace gutskin::detail
