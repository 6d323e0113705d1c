#include "server/cli/commands.h"

namespace server::cli {

engine::ModelOptions EngineOptions::model_options() const {
  return {.n_threads = threads,
          .prefill_chunk = prefill_chunk,
          .repack = !no_repack,
          .kv_type = engine::kv_type_named(kv_cache_type)};
}

}  // namespace server::cli
