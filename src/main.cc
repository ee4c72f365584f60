#include "cli/command_table.h"

int main(int argc, char** argv) { return berth::cli::Main(argc, argv); }
