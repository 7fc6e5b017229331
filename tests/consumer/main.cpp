// Loads a model (default: the installed built-in gut_skin), simulates it for a few days with its
// default parameters and inputs, and prints the first output column at the end.
// Usage: gutskin_consumer [MODEL] [DAYS]
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "gutskin/study.hpp"

int main(int argc, char** argv) {
  try {
    const std::string path = argc > 1 ? argv[1] : GUTSKIN_CONSUMER_MODEL;
    const double days = argc > 2 ? std::stod(argv[2]) : 5.0;
    const gutskin::Study study = gutskin::open(path);  // through the facade, as every front end
    const gutskin::Model& model = study.model->model();
    gutskin::SimulateRequest request;
    request.t_end = days;
    request.steps = 5;
    const gutskin::SimulationResult result = gutskin::simulate_model(study, request);
    if (!result.summary.ok()) {
      std::fprintf(stderr, "simulation failed: %s\n", result.summary.brief().c_str());
      return 1;
    }
    const gutskin::Trajectory& t = result.trajectory;
    std::printf("model %s: %s = %.6g at t = %g\n", model.name.c_str(), t.columns.at(0).c_str(),
                t.at(t.times.size() - 1, 0), t.times.back());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
