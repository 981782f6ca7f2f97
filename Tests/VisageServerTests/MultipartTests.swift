import Testing
@testable import VisageServer

struct MultipartTests {
    static let boundary = "XyZ-boundary"
    static let body = Array("""
    preamble to ignore\r
    --XyZ-boundary\r
    Content-Disposition: form-data; name="name"\r
    \r
    Ada Lovelace\r
    --XyZ-boundary\r
    Content-Disposition: form-data; name="image"; filename="a \\"b\\".jpg"\r
    Content-Type: image/jpeg\r
    \r
    \u{FF}\u{D8}binary\r\nwith a CRLF inside\r
    --XyZ-boundary--\r
    epilogue
    """.utf8)

    @Test func parsesFieldsFilesAndQuotedNames() throws {
        let parts = try Multipart.parse(Self.body, boundary: Self.boundary)
        #expect(parts.count == 2)
        #expect(parts[0] == MultipartPart(name: "name", body: Array("Ada Lovelace".utf8)))
        #expect(parts[1].name == "image")
        #expect(parts[1].filename == #"a "b".jpg"#)
        #expect(parts[1].contentType == "image/jpeg")
        #expect(parts[1].body == Array("\u{FF}\u{D8}binary\r\nwith a CRLF inside".utf8))
    }

    @Test func emptyPartBody() throws {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--b--".utf8)
        #expect(try Multipart.parse(body, boundary: "b") == [MultipartPart(name: "x", body: [])])
    }

    @Test func boundaryFromContentType() {
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(Multipart.boundary(contentType: #"Multipart/Form-Data; charset=utf-8; boundary="a b;c""#) == "a b;c")
        #expect(Multipart.boundary(contentType: "multipart/form-data") == nil)
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary=") == nil)
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
        #expect(Multipart.boundary(contentType: "image/jpeg; boundary=abc") == nil)
    }

    /// Every truncation of a valid body is refused with an error, never a trap (closing
    /// delimiter excepted: a body cut after it is complete).
    @Test func everyTruncationIsAnErrorNotACrash() throws {
        let end = try #require(Multipart.search(Array("--XyZ-boundary--".utf8), in: Self.body, from: 0)) + 16
        for length in 0..<end {
            #expect(throws: MultipartError.self) { try Multipart.parse(Array(Self.body[..<length]), boundary: Self.boundary) }
        }
    }

    @Test(arguments: [
        "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",        // no field name
        "--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nx\r\n--b--",  // not form-data
        "--b\r\nno colon here\r\n\r\nx\r\n--b--",
        "--bx\r\n",
        "nothing like a multipart body",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nnever closed",
        "--b\r\nContent-Disposition: form-data; name=\"x\"; filename=\"unterminated\r\n\r\n",
    ])
    func malformedBodiesAreRefused(_ text: String) {
        #expect(throws: MultipartError.self) { try Multipart.parse(Array(text.utf8), boundary: "b") }
    }

    @Test func tooManyPartsAreRefused() {
        let part = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n"
        let body = Array((String(repeating: part, count: Multipart.maxParts + 1) + "--b--").utf8)
        #expect(throws: MultipartError.self) { try Multipart.parse(body, boundary: "b") }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("-b\r\n:;=\"xContent-Disposition form-data name".utf8)
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<120, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? Multipart.parse(Array("--b\r\n".utf8) + bytes, boundary: "b")
        }
    }
}
