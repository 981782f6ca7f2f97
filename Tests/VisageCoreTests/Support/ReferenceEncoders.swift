import Foundation
import CJPEG
import CPNG
import CWebP

/// Encoders the library itself does not offer (CMYK and grey JPEG, WebP), driving the
/// C libraries directly so that tests can produce those inputs from real pixels.
enum ReferenceEncoders {
    /// A JPEG of `samples` (`components` bytes per pixel) in `inputSpace`, stored as `storedSpace`.
    /// libjpeg marks CMYK and YCCK files with an Adobe segment, so CMYK samples are
    /// given in Adobe's inverted form (0 = full ink).
    static func jpeg(
        samples: [UInt8], width: Int, height: Int, components: Int,
        inputSpace: J_COLOR_SPACE, storedSpace: J_COLOR_SPACE? = nil, quality: Int32 = 95
    ) -> [UInt8] {
        // Heap storage: libjpeg keeps these pointers between calls.
        let cinfo = UnsafeMutablePointer<jpeg_compress_struct>.allocate(capacity: 1)
        let errors = UnsafeMutablePointer<jpeg_error_mgr>.allocate(capacity: 1)
        let output = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 1)
        let size = UnsafeMutablePointer<UInt>.allocate(capacity: 1)
        defer {
            free(output.pointee)
            cinfo.deallocate()
            errors.deallocate()
            output.deallocate()
            size.deallocate()
        }
        cinfo.initialize(to: jpeg_compress_struct())
        output.pointee = nil
        size.pointee = 0
        cinfo.pointee.err = jpeg_std_error(errors)
        jpeg_CreateCompress(cinfo, JPEG_LIB_VERSION, MemoryLayout<jpeg_compress_struct>.size)
        jpeg_mem_dest(cinfo, output, size)
        cinfo.pointee.image_width = JDIMENSION(width)
        cinfo.pointee.image_height = JDIMENSION(height)
        cinfo.pointee.input_components = Int32(components)
        cinfo.pointee.in_color_space = inputSpace
        jpeg_set_defaults(cinfo)
        if let storedSpace { jpeg_set_colorspace(cinfo, storedSpace) }
        jpeg_set_quality(cinfo, quality, 1)
        jpeg_start_compress(cinfo, 1)
        var samples = samples
        samples.withUnsafeMutableBufferPointer { buffer in
            while cinfo.pointee.next_scanline < cinfo.pointee.image_height {
                var row: JSAMPROW? = buffer.baseAddress! + Int(cinfo.pointee.next_scanline) * width * components
                _ = jpeg_write_scanlines(cinfo, &row, 1)
            }
        }
        jpeg_finish_compress(cinfo)
        jpeg_destroy_compress(cinfo)
        return Array(UnsafeBufferPointer(start: output.pointee, count: Int(size.pointee)))
    }

    static func webp(rgb: [UInt8], width: Int, height: Int, lossless: Bool) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        let size =
            lossless
            ? WebPEncodeLosslessRGB(rgb, Int32(width), Int32(height), Int32(width * 3), &output)
            : WebPEncodeRGB(rgb, Int32(width), Int32(height), Int32(width * 3), 90, &output)
        defer { WebPFree(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}

extension ReferenceEncoders {
    /// An Adam7-interlaced RGB PNG written by libpng, a layout PNGBuilder does not produce.
    static func interlacedPNG(rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        var png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nil, nil, nil)
        var info = png_create_info_struct(png)
        defer { png_destroy_write_struct(&png, &info) }
        png_set_write_fn(png, Unmanaged.passUnretained(sink).toOpaque(), { png, data, length in
            let sink = Unmanaged<Sink>.fromOpaque(png_get_io_ptr(png)!).takeUnretainedValue()
            sink.bytes += UnsafeBufferPointer(start: data, count: length)
        }, nil)
        png_set_IHDR(
            png, info, png_uint_32(width), png_uint_32(height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7,
            PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT)
        png_write_info(png, info)
        let passes = png_set_interlace_handling(png)
        var rows = rgb
        rows.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<passes {
                for y in 0..<height { png_write_row(png, buffer.baseAddress! + y * width * 3) }
            }
        }
        png_write_end(png, info)
        return sink.bytes
    }
}
