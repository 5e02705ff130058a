"""python -m armconv [COMMAND] [OPTIONS]: armconv's command line.

Each command is a module with main(argv, prog) -> exit status. A new command
is one entry in COMMANDS; with no command, DEFAULT runs.
"""
import importlib
import sys

# name -> (module, one-line description). Whole-model commands (run, convert,
# bench --model) live in armconv._model.cli, which takes the command itself.
COMMANDS = {
    "bench": ("armconv.bench", "benchmark armconv against numpy/torch/onnxruntime on this CPU (the default);"
                               " with --model, time every node of a model"),
    "run": ("armconv._model.cli", "run a model (.onnx or .npz) once and print its outputs"),
    "convert": ("armconv._model.cli", "save an ONNX model in armconv's numpy-only .npz form"),
}
DEFAULT = "bench"


def usage():
    lines = ["usage: python -m armconv [COMMAND] [OPTIONS]", "", "commands:"]
    lines += [f"  {name:8} {desc}" for name, (_, desc) in COMMANDS.items()]
    lines += ["", f"With no command, '{DEFAULT}' runs. 'python -m armconv COMMAND --help' describes one.", ""]
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    from ._model import cli as model_cli
    if model_cli.wants(argv):  # run, convert, bench --model
        return model_cli.main(argv)
    if argv and argv[0] in COMMANDS:
        name, rest = argv[0], argv[1:]
    elif argv and argv[0] in ("-h", "--help"):
        # Every option of the default command, under the list of commands.
        print(usage())
        print(f"options of '{DEFAULT}' (also without the command name):\n")
        importlib.import_module(COMMANDS[DEFAULT][0]).build_parser("python -m armconv").print_help()
        return 0
    elif argv and not argv[0].startswith("-"):
        print(usage(), file=sys.stderr)
        print(f"python -m armconv: unknown command '{argv[0]}' (choose from {', '.join(COMMANDS)})",
              file=sys.stderr)
        return 2
    else:
        name, rest = DEFAULT, argv
    prog = "python -m armconv" if name == DEFAULT and (not argv or argv[0] != name) else f"python -m armconv {name}"
    return importlib.import_module(COMMANDS[name][0]).main(rest, prog=prog)


if __name__ == "__main__":
    sys.exit(main())
