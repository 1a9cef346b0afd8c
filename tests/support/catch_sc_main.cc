// Debian's libsystemc.so defines main() and calls sc_main, so the Catch2
// runner is started from sc_main instead of CATCH_CONFIG_MAIN.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
