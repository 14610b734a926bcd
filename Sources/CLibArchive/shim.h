#ifndef ASSAY_CLIBARCHIVE_SHIM_H
#define ASSAY_CLIBARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
