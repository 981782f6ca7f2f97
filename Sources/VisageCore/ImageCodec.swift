import CImageCodecs
import CWebP

/// The bridge to libjpeg, libpng and libwebp: reads headers, decodes pixels straight
/// into the final RGB buffer, and encodes. Everything that can longjmp is in CImageCodecs.
enum ImageCodec {
    /// A decoder whose header has been read: the stored size is known, no pixels exist yet.
    private struct OpenDecoder {
        let width: Int
        let height: Int
        /// Fills `width * height * 3` bytes with RGB, or says why it could not.
        let decode: (UnsafeMutablePointer<UInt8>) -> Failure?
        /// For decoders that can scale and crop while decoding (JPEG): the size at a
        /// reduction, and the pixels of a region of that reduced picture.
        var scaledSize: ((Int) -> (width: Int, height: Int))? = nil
        var decodeRegion: ((_ reduction: Int, PixelRegion, UnsafeMutablePointer<UInt8>) -> Failure?)? = nil
    }

    private struct Failure {
        var status: visage_codec_status
        var reason: String
    }

    /// The limits a decode runs under (``ImageDecodingOptions``).
    struct Limits {
        var maxPixels: Int
        /// The most scans of a progressive JPEG.
        var maxScans: Int

        init(_ options: ImageDecodingOptions) {
            maxPixels = options.maxPixels
            maxScans = options.maxProgressiveScans
        }
    }

    /// The stored dimensions, from the header alone.
    static func dimensions(
        of bytes: UnsafeBufferPointer<UInt8>, format: ImageFormat, source: String
    ) throws(ImageError) -> (width: Int, height: Int) {
        try withDecoder(bytes, format: format, source: source, maxScans: ImageDecodingOptions().maxProgressiveScans) { decoder throws(ImageError) in
            (decoder.width, decoder.height)
        }
    }

    /// The pixels as stored (orientation not applied), refusing more than `limits.maxPixels`
    /// before allocating them, and a progressive JPEG at its first scan past `limits.maxScans`;
    /// at 1/`reduction` and only `region` (of the reduced stored picture, inside it) when asked.
    /// `region` is computed from the reduced stored size by `regionOf`, which the caller gets the
    /// reduced size through.
    static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, format: ImageFormat, source: String, limits: Limits, reduction: Int = 1,
        regionOf: ((_ width: Int, _ height: Int) -> PixelRegion)? = nil
    ) throws(ImageError) -> Image {
        let maxPixels = limits.maxPixels
        guard reduction != 1 || regionOf != nil else {
            return try decode(bytes, format: format, source: source, limits: limits)
        }
        if let declared = format.declaredSize(bytes), declared.width * declared.height > maxPixels {
            throw .tooLarge(source: source, width: declared.width, height: declared.height, limit: maxPixels)
        }
        let image: Image? = try withDecoder(bytes, format: format, source: source, maxScans: limits.maxScans) { decoder throws(ImageError) in
            guard let scaledSize = decoder.scaledSize, let decodeRegion = decoder.decodeRegion else { return nil }
            guard decoder.width > 0, decoder.height > 0 else {
                throw .corrupt(source: source, reason: "the header declares a \(decoder.width)×\(decoder.height) image")
            }
            guard decoder.width * decoder.height <= maxPixels else {
                throw .tooLarge(source: source, width: decoder.width, height: decoder.height, limit: maxPixels)
            }
            let size = scaledSize(reduction)
            let wanted = regionOf?(size.width, size.height) ?? PixelRegion(x: 0, y: 0, width: size.width, height: size.height)
            let count = wanted.area * 3
            var failure: Failure?
            let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                failure = decodeRegion(reduction, wanted, buffer.baseAddress!)
                initialized = count
            }
            if let failure { throw error(for: failure, format: format, source: source, maxScans: limits.maxScans) }
            return Image(uncheckedWidth: wanted.width, height: wanted.height, pixels: pixels)
        }
        if let image { return image }
        // Formats that cannot scale or crop while decoding: whole, then shrunk and cropped.
        var whole = try decode(bytes, format: format, source: source, limits: limits)
        if reduction > 1 {
            whole = whole.shrunk(width: (whole.width + reduction - 1) / reduction, height: (whole.height + reduction - 1) / reduction)
        }
        guard let region = regionOf?(whole.width, whole.height) else { return whole }
        return whole.cropped(to: Rect(x: Float(region.x), y: Float(region.y), width: Float(region.width), height: Float(region.height))) ?? whole
    }

    /// The whole picture as stored.
    private static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, format: ImageFormat, source: String, limits: Limits
    ) throws(ImageError) -> Image {
        let maxPixels = limits.maxPixels
        if let declared = format.declaredSize(bytes), declared.width * declared.height > maxPixels {
            throw .tooLarge(source: source, width: declared.width, height: declared.height, limit: maxPixels)
        }
        return try withDecoder(bytes, format: format, source: source, maxScans: limits.maxScans) { decoder throws(ImageError) in
            guard decoder.width > 0, decoder.height > 0 else {
                throw .corrupt(source: source, reason: "the header declares a \(decoder.width)×\(decoder.height) image")
            }
            guard decoder.width * decoder.height <= maxPixels else {
                throw .tooLarge(source: source, width: decoder.width, height: decoder.height, limit: maxPixels)
            }
            let count = decoder.width * decoder.height * 3
            var failure: Failure?
            let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                failure = decoder.decode(buffer.baseAddress!)
                initialized = count
            }
            if let failure { throw error(for: failure, format: format, source: source, maxScans: limits.maxScans) }
            return Image(uncheckedWidth: decoder.width, height: decoder.height, pixels: pixels)
        }
    }

    private static func withDecoder<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, format: ImageFormat, source: String, maxScans: Int,
        _ body: (OpenDecoder) throws(ImageError) -> Result
    ) throws(ImageError) -> Result {
        switch format {
        case .jpeg:
            return try withCDecoder(
                bytes, format: format, source: source, maxScans: maxScans,
                open: { data, size, decoder, header, message, capacity in
                    let status = visage_jpeg_open(data, size, decoder, header, message, capacity)
                    if status == VISAGE_CODEC_OK { visage_jpeg_set_max_scans(decoder.pointee, Int32(clamping: maxScans)) }
                    return status
                },
                decode: { visage_jpeg_decode_rgb($0, $1, $2, $3) },
                close: { visage_jpeg_close($0) }, body)
        case .png:
            return try withCDecoder(
                bytes, format: format, source: source, maxScans: maxScans,
                open: { visage_png_open($0, $1, $2, $3, $4, $5) },
                decode: { visage_png_decode_rgb($0, $1, $2, $3) },
                close: { visage_png_close($0) }, body)
        case .webp:
            return try body(openWebP(bytes, source: source))
        }
    }

    private static func withCDecoder<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, format: ImageFormat, source: String, maxScans: Int,
        open: (
            UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<visage_image_header>,
            UnsafeMutablePointer<CChar>, Int
        ) -> visage_codec_status,
        decode: @escaping (OpaquePointer?, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<CChar>, Int) -> visage_codec_status,
        close: (OpaquePointer?) -> Void,
        _ body: (OpenDecoder) throws(ImageError) -> Result
    ) throws(ImageError) -> Result {
        var handle: OpaquePointer?
        var header = visage_image_header()
        if let failure = capturingReason({ open(bytes.baseAddress, bytes.count, &handle, &header, $0, $1) }) {
            throw error(for: failure, format: format, source: source, maxScans: maxScans)
        }
        defer { close(handle) }
        var decoder = OpenDecoder(width: Int(header.width), height: Int(header.height)) { [handle] rgb in
            capturingReason { decode(handle, rgb, $0, $1) }
        }
        if format == .jpeg {
            decoder.scaledSize = { [handle] reduction in
                var scaled = visage_image_header()
                _ = visage_jpeg_scaled_size(handle, Int32(reduction), &scaled)
                return (Int(scaled.width), Int(scaled.height))
            }
            decoder.decodeRegion = { [handle] reduction, region, rgb in
                capturingReason {
                    visage_jpeg_decode_region_rgb(
                        handle, Int32(reduction), Int32(region.x), Int32(region.y), Int32(region.width), Int32(region.height), rgb, $0, $1)
                }
            }
        }
        return try body(decoder)
    }

    /// Runs a C call that writes a NUL-terminated reason on failure.
    private static func capturingReason(
        _ call: (UnsafeMutablePointer<CChar>, Int) -> visage_codec_status
    ) -> Failure? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            buffer[0] = 0
            let status = call(buffer.baseAddress!, buffer.count)
            guard status != VISAGE_CODEC_OK else { return nil }
            return Failure(status: status, reason: String(cString: buffer.baseAddress!))
        }
    }

    private static func error(for failure: Failure, format: ImageFormat, source: String, maxScans: Int) -> ImageError {
        switch failure.status {
        case VISAGE_CODEC_UNSUPPORTED: .unsupportedFormat(source: source, detail: failure.reason)
        case VISAGE_CODEC_TOO_MANY_SCANS: .tooManyScans(source: source, limit: maxScans)
        default: .corrupt(source: source, reason: "\(format.name): \(failure.reason)")
        }
    }

    // MARK: WebP

    /// libwebp reports errors as return values, so it needs no C wrapper.
    private static func openWebP(_ bytes: UnsafeBufferPointer<UInt8>, source: String) throws(ImageError) -> OpenDecoder {
        var features = WebPBitstreamFeatures()
        let status = WebPGetFeatures(bytes.baseAddress, bytes.count, &features)
        guard status == VP8_STATUS_OK else { throw webPError(status, source: source) }
        guard features.has_animation == 0 else {
            throw .unsupportedFormat(source: source, detail: "it is an animated WebP; extract a frame first")
        }
        let width = Int(features.width), height = Int(features.height)
        return OpenDecoder(width: width, height: height) { rgb in
            var config = WebPDecoderConfig()
            guard WebPInitDecoderConfig(&config) != 0 else {
                return Failure(status: VISAGE_CODEC_FAILED, reason: "libwebp version mismatch")
            }
            // Decode into our buffer; with MODE_RGB libwebp drops any alpha channel itself.
            config.output.colorspace = MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = rgb
            config.output.u.RGBA.stride = Int32(width * 3)
            config.output.u.RGBA.size = width * height * 3
            let status = WebPDecode(bytes.baseAddress, bytes.count, &config)
            WebPFreeDecBuffer(&config.output)
            guard status == VP8_STATUS_OK else {
                return Failure(status: VISAGE_CODEC_CORRUPT, reason: webPReason(status))
            }
            return nil
        }
    }

    private static func webPError(_ status: VP8StatusCode, source: String) -> ImageError {
        status == VP8_STATUS_UNSUPPORTED_FEATURE
            ? .unsupportedFormat(source: source, detail: "it uses a WebP feature libwebp cannot decode")
            : .corrupt(source: source, reason: "WebP: \(webPReason(status))")
    }

    /// Internal for its test: every status a damaged file can produce gets words, not a number.
    static func webPReason(_ status: VP8StatusCode) -> String {
        switch status {
        // WebPDecode answers SUSPENDED, not NOT_ENOUGH_DATA, when the partitions of a lossy
        // frame start past the end of the data (a damaged header byte claims more of them).
        case VP8_STATUS_NOT_ENOUGH_DATA, VP8_STATUS_SUSPENDED: "the data ends early"
        case VP8_STATUS_BITSTREAM_ERROR: "invalid bitstream"
        case VP8_STATUS_INVALID_PARAM: "invalid header"
        case VP8_STATUS_OUT_OF_MEMORY: "out of memory"
        case VP8_STATUS_UNSUPPORTED_FEATURE: "unsupported feature"
        case VP8_STATUS_USER_ABORT: "decoding was stopped"
        default: "libwebp status \(status.rawValue)"
        }
    }
}
