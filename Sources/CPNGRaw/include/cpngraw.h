#ifndef CPNGRAW_H
#define CPNGRAW_H
#include <stddef.h>
#include <stdint.h>

/* A PNG's header: the size cpng_read decodes into (raw samples, no gamma or colour conversion,
   planar [channels, height, width], scaled to [0, 1]: 8-bit / 255, 16-bit / 65535). */
typedef struct {
    int width, height, channels, bit_depth; /* bit_depth of the file (1, 2, 4, 8 or 16) */
    int color_type;                         /* PNG colour type of the file */
} cpng_image;

/* Reads only the header. Returns 0 on success; otherwise writes a message into err. */
int cpng_read_header(const char *path, cpng_image *out, char *err, size_t errlen);

/* Checks a header's size: not zero, and at most max_samples samples (width*height*channels, no
   overflow). Returns 0 when it fits; otherwise writes the refusal into err. */
int cpng_check_size(const cpng_image *img, size_t max_samples, char *err, size_t errlen);

/* Decodes the whole image into dst, dst_count = width*height*channels floats from the header
   (cpng_read_header): planar [channels, height, width] in [0, 1]. Refuses images with more than
   max_samples samples, or whose size differs from dst_count. A non-interlaced image is decoded a
   row at a time, with no whole-image byte buffer. Returns 0 on success; otherwise writes a
   message into err (dst is then partly written). */
int cpng_read(const char *path, size_t max_samples, cpng_image *out, float *dst, size_t dst_count, char *err, size_t errlen);

/* Writes interleaved samples (channels 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA; bit_depth 8
   or 16, values already in 0..255 or 0..65535) with no colour chunks, so readers get them raw. */
int cpng_write(const char *path, int width, int height, int channels, int bit_depth,
               const uint16_t *samples, char *err, size_t errlen);

/* Encodes interleaved 8-bit samples (channels 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) into a PNG in
   memory through libpng's write callbacks. On success *out is a malloc'd buffer of *outlen bytes
   (free with cpng_buffer_free). Returns 0 on success; otherwise writes a message into err. */
int cpng_encode(int width, int height, int channels, const uint8_t *samples,
                uint8_t **out, size_t *outlen, char *err, size_t errlen);

void cpng_buffer_free(uint8_t *buffer);

#endif
