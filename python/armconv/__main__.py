import sys

from ._model import cli as _model_cli

if _model_cli.wants(sys.argv[1:]):  # run, convert, bench --model: whole models
    sys.exit(_model_cli.main())

from .bench import main  # noqa: E402

sys.exit(main())
