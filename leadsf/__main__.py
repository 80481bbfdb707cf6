import sys

from leadsf.pipeline.cli import main

sys.exit(main())
