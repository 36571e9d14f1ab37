// The fedsim command: subcommands are registered here; each lives in its own file.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "tools/catalogue_command.h"
#include "tools/debug_commands.h"
#include "tools/demo_command.h"
#include "tools/fingerprints_command.h"
#include "tools/inspect_command.h"
#include "tools/run_command.h"
#include "tools/scenario_cli.h"
#include "tools/sweep_command.h"

int main(int argc, char** argv) {
    tools::set_program_name(argc > 0 ? argv[0] : nullptr);
    CLI::App app{"fedsim: deterministic simulation of federations, gateways and Lightning"};
    app.require_subcommand(1);
    int exit_code = 0;
    tools::add_demo_command(app, &exit_code);
    tools::add_fingerprints_command(app, &exit_code);
    tools::add_run_command(app, &exit_code);
    tools::add_replay_command(app, &exit_code);
    tools::add_sweep_command(app, &exit_code);
    tools::add_merge_command(app, &exit_code);
    tools::add_check_determinism_command(app, &exit_code);
    tools::add_diff_command(app, &exit_code);
    tools::add_shrink_command(app, &exit_code);
    tools::add_validate_command(app, &exit_code);
    tools::add_list_command(app, &exit_code);
    tools::add_catalogue_command(app, &exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        // CLI11 uses 0 for --help; every real usage error becomes exit code 2.
        return code == 0 ? 0 : 2;
    }
    return exit_code;
}
