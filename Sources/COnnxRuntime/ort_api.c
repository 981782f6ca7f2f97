#include "ort_api.h"
