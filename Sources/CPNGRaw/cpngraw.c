#include "cpngraw.h"
#include <png.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *err; size_t errlen; } err_ctx;

static void on_error(png_structp png, png_const_charp msg) {
    err_ctx *ctx = (err_ctx *)png_get_error_ptr(png);
    if (ctx && ctx->err && ctx->errlen) snprintf(ctx->err, ctx->errlen, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static int setup(const char *path, FILE **fp, png_structp *png, png_infop *info, err_ctx *ctx) {
    *fp = fopen(path, "rb");
    if (!*fp) { snprintf(ctx->err, ctx->errlen, "cannot open file"); return -1; }
    unsigned char sig[8];
    size_t n = fread(sig, 1, 8, *fp);
    if (n < 8 || png_sig_cmp(sig, 0, 8) != 0) {
        snprintf(ctx->err, ctx->errlen, n == 0 ? "empty file" : "not a PNG file (bad signature)");
        fclose(*fp); return -1;
    }
    *png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, on_error, on_warning);
    if (!*png) { snprintf(ctx->err, ctx->errlen, "libpng could not start"); fclose(*fp); return -1; }
    *info = png_create_info_struct(*png);
    if (!*info) { png_destroy_read_struct(png, NULL, NULL); fclose(*fp); snprintf(ctx->err, ctx->errlen, "libpng could not start"); return -1; }
    /* Allow large dimensions through libpng so our own limit produces the message. */
    png_set_user_limits(*png, 0x7fffffff, 0x7fffffff);
    png_init_io(*png, *fp);
    png_set_sig_bytes(*png, 8);
    return 0;
}

static void fill_header(png_structp png, png_infop info, cpng_image *out) {
    out->width = (int)png_get_image_width(png, info);
    out->height = (int)png_get_image_height(png, info);
    out->bit_depth = png_get_bit_depth(png, info);
    out->color_type = png_get_color_type(png, info);
    int ch = png_get_channels(png, info);
    if (out->color_type == PNG_COLOR_TYPE_PALETTE)
        ch = png_get_valid(png, info, PNG_INFO_tRNS) ? 4 : 3;
    else if (png_get_valid(png, info, PNG_INFO_tRNS))
        ch += 1;
    out->channels = ch;
}

int cpng_read_header(const char *path, cpng_image *out, char *err, size_t errlen) {
    err_ctx ctx = { err, errlen };
    FILE *fp; png_structp png; png_infop info;
    if (setup(path, &fp, &png, &info, &ctx) != 0) return -1;
    if (setjmp(png_jmpbuf(png))) { png_destroy_read_struct(&png, &info, NULL); fclose(fp); return -1; }
    png_read_info(png, info);
    fill_header(png, info, out);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    return 0;
}

int cpng_check_size(const cpng_image *img, size_t max_samples, char *err, size_t errlen) {
    size_t w = (size_t)img->width, h = (size_t)img->height, c = (size_t)img->channels;
    if (w == 0 || h == 0 || c == 0) { snprintf(err, errlen, "image has zero size"); return -1; }
    if (w * h > max_samples / c) {
        snprintf(err, errlen, "image claims %zux%zu pixels x %zu channels, above the limit of %zu samples", w, h, c, max_samples);
        return -1;
    }
    return 0;
}

/* v / 255 for every byte, computed by the same division as before: a table lookup gives the same
   bits as dividing each sample, at a fraction of the cost. */
static float unit8[256];
static pthread_once_t unit8_once = PTHREAD_ONCE_INIT;
static void fill_unit8_once(void) { for (int v = 0; v < 256; v++) unit8[v] = (float)v / 255.0f; }
static void fill_unit8(void) { pthread_once(&unit8_once, fill_unit8_once); }

/* One row of interleaved samples into the planar float image (row y of every plane). */
static void convert_row(const png_bytep r, int depth, size_t y, size_t w, size_t c, size_t plane, float *data) {
    if (depth == 16) {
        const uint16_t *q = (const uint16_t *)r;
        for (size_t x = 0; x < w; x++)
            for (size_t k = 0; k < c; k++) data[k * plane + y * w + x] = (float)q[x * c + k] / 65535.0f;
    } else if (c == 1) {
        float *out = data + y * w;
        for (size_t x = 0; x < w; x++) out[x] = unit8[r[x]];
    } else {
        for (size_t x = 0; x < w; x++)
            for (size_t k = 0; k < c; k++) data[k * plane + y * w + x] = unit8[r[x * c + k]];
    }
}

int cpng_read(const char *path, size_t max_samples, cpng_image *out, float *dst, size_t dst_count, char *err, size_t errlen) {
    err_ctx ctx = { err, errlen };
    FILE *fp; png_structp png; png_infop info;
    png_bytep volatile buf = NULL;
    png_bytepp volatile rows = NULL;
    fill_unit8();
    if (setup(path, &fp, &png, &info, &ctx) != 0) return -1;
    /* 1 MiB reads instead of stdio's 4 KiB: a 4096x4096 PNG in a dozen system calls, not thousands. */
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    if (setjmp(png_jmpbuf(png))) {
        free(buf); free(rows);
        png_destroy_read_struct(&png, &info, NULL); fclose(fp);
        return -1;
    }
    png_read_info(png, info);
    fill_header(png, info, out);
    size_t w = (size_t)out->width, h = (size_t)out->height, c = (size_t)out->channels;
    char msg[200];
    if (cpng_check_size(out, max_samples, msg, sizeof msg) != 0) png_error(png, msg);
    if (w * h * c != dst_count) png_error(png, "the file changed while it was read (its size differs from its header's)");
    /* Raw samples: expand palette / low bit depths / tRNS, no gamma handling at all. */
    png_set_expand(png);
    if (out->bit_depth == 16) png_set_swap(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int depth = png_get_bit_depth(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if ((size_t)png_get_channels(png, info) != c) png_error(png, "unexpected channel count after expansion");
    size_t plane = w * h;
    if (passes == 1) {
        /* Not interlaced: one row at a time through one row buffer, straight into the planes. */
        buf = (png_bytep)malloc(rowbytes);
        if (!buf) png_error(png, "out of memory");
        for (size_t y = 0; y < h; y++) {
            png_read_row(png, buf, NULL);
            convert_row(buf, depth, y, w, c, plane, dst);
        }
    } else {
        /* Adam7 fills rows over seven passes: the whole image first. */
        buf = (png_bytep)malloc(rowbytes * h);
        rows = (png_bytepp)malloc(sizeof(png_bytep) * h);
        if (!buf || !rows) png_error(png, "out of memory");
        for (size_t y = 0; y < h; y++) rows[y] = buf + y * rowbytes;
        png_read_image(png, rows);
        for (size_t y = 0; y < h; y++) convert_row(rows[y], depth, y, w, c, plane, dst);
    }
    png_read_end(png, NULL);
    free(buf); free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    return 0;
}


int cpng_write(const char *path, int width, int height, int channels, int bit_depth,
               const uint16_t *samples, char *err, size_t errlen) {
    err_ctx ctx = { err, errlen };
    static const int types[5] = { 0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA };
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width <= 0 || height <= 0) {
        snprintf(err, errlen, "unsupported PNG layout"); return -1;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) { snprintf(err, errlen, "cannot create file"); return -1; }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    size_t rowbytes = (size_t)width * channels * (bit_depth / 8);
    png_bytep volatile row = NULL;
    if (!png || !info) { if (png) png_destroy_write_struct(&png, NULL); fclose(fp); snprintf(err, errlen, "libpng could not start"); return -1; }
    if (setjmp(png_jmpbuf(png))) { free(row); png_destroy_write_struct(&png, &info); fclose(fp); return -1; }
    png_init_io(png, fp);
    png_set_IHDR(png, info, width, height, bit_depth, types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    row = (png_bytep)malloc(rowbytes);
    if (!row) png_error(png, "out of memory");
    size_t n = (size_t)width * channels;
    for (int y = 0; y < height; y++) {
        const uint16_t *src = samples + (size_t)y * n;
        if (bit_depth == 8) for (size_t i = 0; i < n; i++) row[i] = (png_byte)src[i];
        else for (size_t i = 0; i < n; i++) { row[2 * i] = (png_byte)(src[i] >> 8); row[2 * i + 1] = (png_byte)(src[i] & 0xff); }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    free(row);
    png_destroy_write_struct(&png, &info);
    if (fclose(fp) != 0) { snprintf(err, errlen, "write failed (disk full?)"); return -1; }
    return 0;
}

/* A growing byte buffer that libpng's write callback appends to. ctx comes first so the sink
   doubles as on_error's err_ctx. */
typedef struct { err_ctx ctx; uint8_t *data; size_t len, cap; } mem_sink;

static void mem_write(png_structp png, png_bytep bytes, png_size_t n) {
    mem_sink *sink = (mem_sink *)png_get_io_ptr(png);
    if (sink->len + n > sink->cap) {
        size_t cap = sink->cap ? sink->cap : 4096;
        while (cap < sink->len + n) cap *= 2;
        uint8_t *grown = (uint8_t *)realloc(sink->data, cap);
        if (!grown) png_error(png, "out of memory");
        sink->data = grown; sink->cap = cap;
    }
    memcpy(sink->data + sink->len, bytes, n);
    sink->len += n;
}

static void mem_flush(png_structp png) { (void)png; }

int cpng_encode(int width, int height, int channels, const uint8_t *samples,
                uint8_t **out, size_t *outlen, char *err, size_t errlen) {
    static const int types[5] = { 0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA };
    *out = NULL; *outlen = 0;
    if (channels < 1 || channels > 4 || width <= 0 || height <= 0) { snprintf(err, errlen, "unsupported PNG layout"); return -1; }
    /* volatile: the sink's buffer pointer changes between setjmp and a possible longjmp. */
    mem_sink *volatile sink = (mem_sink *)calloc(1, sizeof(mem_sink));
    if (!sink) { snprintf(err, errlen, "out of memory"); return -1; }
    sink->ctx.err = err; sink->ctx.errlen = errlen;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) { if (png) png_destroy_write_struct(&png, NULL); free(sink); snprintf(err, errlen, "libpng could not start"); return -1; }
    if (setjmp(png_jmpbuf(png))) { png_destroy_write_struct(&png, &info); free(sink->data); free(sink); return -1; }
    png_set_write_fn(png, sink, mem_write, mem_flush);
    png_set_IHDR(png, info, width, height, 8, types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t stride = (size_t)width * channels;
    for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(samples + (size_t)y * stride));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out = sink->data; *outlen = sink->len;
    free(sink);
    return 0;
}

void cpng_buffer_free(uint8_t *buffer) { free(buffer); }
