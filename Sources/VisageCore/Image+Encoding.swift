import CImageCodecs

extension Image {
    /// The image as a baseline JPEG file (4:2:0 chroma, libjpeg's standard tables).
    ///
    /// - Parameter quality: 1 (smallest) to 100 (best); values outside are clamped.
    ///   Default: 90, which keeps faces free of visible artefacts.
    public func jpegData(quality: Int = 90) throws(ImageError) -> [UInt8] {
        let quality = Int32(min(max(quality, 1), 100))
        return try encode(as: .jpeg) { pixels, width, height, output, message, capacity in
            visage_jpeg_encode_rgb(pixels, width, height, quality, output, message, capacity)
        }
    }

    /// The image as a lossless 8-bit RGB PNG file, compressed for speed rather than size.
    public func pngData() throws(ImageError) -> [UInt8] {
        try encode(as: .png) { pixels, width, height, output, message, capacity in
            visage_png_encode_rgb(pixels, width, height, output, message, capacity)
        }
    }

    /// Writes the image to `path` as JPEG (`.jpg`, `.jpeg`) or PNG (`.png`), chosen by the
    /// extension, ignoring case.
    ///
    /// - Parameter jpegQuality: used for JPEG only; see ``jpegData(quality:)``. Default: 90.
    /// - Throws: ``ImageError/unsupportedFormat(source:detail:)`` for any other extension,
    ///   ``ImageError/unwritable(destination:reason:)`` when the file cannot be written.
    public func write(to path: String, jpegQuality: Int = 90) throws(ImageError) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let dot = name.lastIndex(of: ".")
        let pathExtension = dot.map { name[name.index(after: $0)...].lowercased() } ?? ""
        let bytes: [UInt8]
        switch pathExtension {
        case "jpg", "jpeg": bytes = try jpegData(quality: jpegQuality)
        case "png": bytes = try pngData()
        default:
            let found = pathExtension.isEmpty ? "a name without an extension" : "the extension .\(pathExtension)"
            throw .unsupportedFormat(
                source: path, detail: "cannot write \(found); name the file .jpg, .jpeg or .png")
        }
        try LocalFile.save(bytes, to: path)
    }

    private func encode(
        as format: ImageFormat,
        _ call: (UnsafePointer<UInt8>, Int32, Int32, UnsafeMutablePointer<visage_codec_buffer>, UnsafeMutablePointer<CChar>, Int)
            -> visage_codec_status
    ) throws(ImageError) -> [UInt8] {
        guard let width = Int32(exactly: width), let height = Int32(exactly: height) else {
            throw .encodingFailed(format: format, reason: "\(self.width)×\(self.height) is beyond what the encoder accepts")
        }
        var output = visage_codec_buffer()
        let reason: String? = pixels.withUnsafeBufferPointer { pixels in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { message in
                message[0] = 0
                let status = call(pixels.baseAddress!, width, height, &output, message.baseAddress!, message.count)
                return status == VISAGE_CODEC_OK ? nil : String(cString: message.baseAddress!)
            }
        }
        if let reason { throw .encodingFailed(format: format, reason: reason) }
        defer { visage_codec_free(output.data) }
        return Array(UnsafeBufferPointer(start: output.data, count: output.size))
    }
}
