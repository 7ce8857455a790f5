// xietong: the command line. Thin: parses arguments, calls service/, renders.
#include "cli/commands.h"

int main(int argc, char** argv) { return xt::cli::Main(argc, argv); }
