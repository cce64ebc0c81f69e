"""Settings of the Python process that serves requests (``wsgi.py``).

The garbage collector: Python starts a collection every 700 new container
objects, and every 100th of those runs over the whole heap. A page builds
tens of thousands of objects (ORM rows, template output), so the default
ran several collections per page, the full ones walking the application's
own hundreds of thousands of long-lived objects (modules, SQLAlchemy's
mappers, the catalogs) each time: measured in-process on the benchmark's
pages, a tenth to a half of a page's time. After the app is built:

- ``gc.freeze()`` moves every object alive then (the application) out of
  the collector's sight: they live as long as the process anyway;
- the first generation's threshold is raised, so short-lived request
  objects are mostly freed by reference counting before a collection runs.

Cyclic garbage is still collected, only less often; memory grows by at
most a few thousand objects between collections.
"""

import gc

GC_THRESHOLDS = (20_000, 20, 20)


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
