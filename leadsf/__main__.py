import sys

from leadsf.pipeline.cli import batch_gc, main

batch_gc()  # a process of its own: its collector set as for a batch run
sys.exit(main())
