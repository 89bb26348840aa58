// Only the header matters; SwiftPM wants one source file per C target.
#include "CFuzzDriver.h"
