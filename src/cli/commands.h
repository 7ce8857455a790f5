// The subcommands of `xietong` (docs/cli.md). Exit codes: 0 success,
// 1 a failure or a mismatch found, 2 a usage error.
#pragma once

namespace xt::cli {

int Main(int argc, char** argv);

}  // namespace xt::cli
