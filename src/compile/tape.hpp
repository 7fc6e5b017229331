// Register tape: straight-line code over one array of doubles. Built from expressions with
// common subexpressions shared (hash-consing on operand slots). Before running, instructions
// are grouped by dependency level and opcode so each group runs as one tight loop: one dispatch
// per group instead of per instruction (measured 2.6–3.1× faster RHS, docs/benchmarks.md).
#pragma once

#include <cstdint>
#include <vector>

namespace gutskin::detail {

enum class TOp : std::uint8_t {
  add, sub, mul, div, pow, square, neg,
  lt, le, gt, ge, eq, ne, logical_and, logical_or, logical_not,
  select,  // dst = a != 0 ? b : c
  min, max, exp, log, log10, sqrt, abs, sin, cos, tan, asin, acos, atan, floor, ceil, factorial, digamma,
};

struct Instr {
  TOp op;
  std::int32_t dst, a, b, c;
};

/// One straight-line program; `outputs[k]` is the slot holding result k after `run`.
struct Program {
  struct Group {
    TOp op;
    std::uint32_t begin, end;  // range in `code`
  };
  std::vector<Instr> code;
  std::vector<Group> groups;
  std::vector<std::int32_t> outputs;

  /// Orders `code` by (dependency level, opcode) and forms the groups; call once after building.
  void schedule();
  void run(double* slots) const;
};

/// Slot layout shared by every program of a model:
///   [time][states][parameters][inputs][root values][delayed values][constants][temporaries...]
struct Tape {
  std::vector<double> constants;
  int time_slot = 0, state_base = 0, param_base = 0, input_base = 0, root_base = 0, delay_base = 0;
  int n_slots = 0;
  Program rhs, jacobian, variables, observables, roots;
  Program triggers;  // one output per event, reading the root values
  Program delay_args, delay_times;  // x_k and tau_k of every delay(x_k, tau_k)
  // Events: the values of every event's assignments (events in order, then their assignments),
  // one delay and one priority per event (0 for an event without one).
  Program event_values, event_delays, event_priorities;
  // Initial values: outputs are the parameters with an initial assignment (model order), then
  // the states. They read time, inputs and the other parameters only.
  Program initial;
  // Derivatives beyond ∂f/∂x, values in the order of their sparsity pattern (∂x0/∂p: nonzeros
  // only, placed by CompiledModel).
  Program rhs_parameter_jacobian, observable_state_jacobian, observable_parameter_jacobian,
      initial_jacobian;
  int constant_base() const;
  std::size_t size() const;
};

}  // namespace gutskin::detail
