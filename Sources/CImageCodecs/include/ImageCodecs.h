// Thin C wrappers around libjpeg and libpng for VisageCore.
//
// Both libraries report fatal errors by calling a handler that must not return; the
// only safe way back is longjmp, which Swift frames cannot be unwound by. Every call
// that can reach libjpeg or libpng therefore lives here, takes its setjmp itself, and
// turns failures into a status plus a message. Decoding is split into open (header
// only) and decode (pixels into a caller-owned buffer) so the caller can refuse an
// oversized image before any pixel memory exists, and so pixels land directly in the
// final buffer without a copy.
#ifndef VISAGE_IMAGE_CODECS_H
#define VISAGE_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    VISAGE_CODEC_OK = 0,
    // The data is invalid or ends early; the message says where libjpeg/libpng gave up.
    VISAGE_CODEC_CORRUPT = 1,
    // Valid data in a variant we do not decode (for example an unknown JPEG colour space).
    VISAGE_CODEC_UNSUPPORTED = 2,
    // Encoding failed (out of memory, or the library refused the parameters).
    VISAGE_CODEC_FAILED = 3,
    // A progressive JPEG with more scans than the decoder's limit (visage_jpeg_set_max_scans):
    // each scan costs a pass over the whole image, so decoding stops at the first one too many.
    VISAGE_CODEC_TOO_MANY_SCANS = 4,
} visage_codec_status;

typedef struct {
    int32_t width;
    int32_t height;
} visage_image_header;

// A buffer allocated with malloc by the library; release it with visage_codec_free.
typedef struct {
    uint8_t *data;
    size_t size;
} visage_codec_buffer;

typedef struct visage_jpeg_decoder visage_jpeg_decoder;
typedef struct visage_png_decoder visage_png_decoder;

// Reads the JPEG header from `data` (which must stay valid until close). On success
// *decoder is set and must be closed; on failure it is NULL and `message` says why.
visage_codec_status visage_jpeg_open(const uint8_t *data, size_t size, visage_jpeg_decoder **decoder,
                                     visage_image_header *header, char *message, size_t message_capacity);
// Decodes every pixel as 8-bit RGB into `rgb`, which holds width * height * 3 bytes.
// Truncated data is an error here rather than the grey fill libjpeg would produce.
visage_codec_status visage_jpeg_decode_rgb(visage_jpeg_decoder *decoder, uint8_t *rgb, char *message,
                                           size_t message_capacity);
// The size a decode at 1/`reduction` (1, 2, 4 or 8) gives: libjpeg's DCT scaling computes
// each 8×8 block's smaller IDCT directly, so nothing larger is ever produced. Sizes round up.
visage_codec_status visage_jpeg_scaled_size(visage_jpeg_decoder *decoder, int32_t reduction,
                                            visage_image_header *header);
// Decodes only `width`×`height` pixels at (`x`, `y`) of the image at 1/`reduction` (stored
// orientation, coordinates of the reduced image) into `rgb` (width * height * 3 bytes), with
// libjpeg-turbo's jpeg_crop_scanline and jpeg_skip_scanlines: the pixels are the same as the
// whole decode's there. Data after the region is not read, so damage there goes unnoticed.
// A decoder decodes once.
visage_codec_status visage_jpeg_decode_region_rgb(visage_jpeg_decoder *decoder, int32_t reduction, int32_t x,
                                                  int32_t y, int32_t width, int32_t height, uint8_t *rgb,
                                                  char *message, size_t message_capacity);
// The most scans a decode reads (default 100; at least 1); the first one past it stops the
// decode with VISAGE_CODEC_TOO_MANY_SCANS.
void visage_jpeg_set_max_scans(visage_jpeg_decoder *decoder, int32_t max_scans);
void visage_jpeg_close(visage_jpeg_decoder *decoder);

// Encodes width * height * 3 bytes of RGB as a baseline JPEG with 4:2:0 chroma.
visage_codec_status visage_jpeg_encode_rgb(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                                           visage_codec_buffer *output, char *message, size_t message_capacity);

// Same contract as the JPEG functions: header first, then pixels.
visage_codec_status visage_png_open(const uint8_t *data, size_t size, visage_png_decoder **decoder,
                                    visage_image_header *header, char *message, size_t message_capacity);
// Any PNG colour type and bit depth becomes 8-bit RGB: palette expanded, grey
// replicated, alpha dropped, 16-bit samples scaled (rounded) to 8 bits.
visage_codec_status visage_png_decode_rgb(visage_png_decoder *decoder, uint8_t *rgb, char *message,
                                          size_t message_capacity);
void visage_png_close(visage_png_decoder *decoder);

visage_codec_status visage_png_encode_rgb(const uint8_t *rgb, int32_t width, int32_t height,
                                          visage_codec_buffer *output, char *message, size_t message_capacity);

void visage_codec_free(void *data);

#endif
