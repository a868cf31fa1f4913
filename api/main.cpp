#include "api/cli.h"

int main(int argc, char** argv) { return cobuy::cli::run(argc, argv); }
