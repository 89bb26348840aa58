#include <ft2build.h>
#include FT_FREETYPE_H

// FT_LOAD_RENDER is a macro with a long suffix; Swift needs it as FT_Int32.
static const FT_Int32 cfreetype_load_render = FT_LOAD_RENDER;
