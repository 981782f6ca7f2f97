import Testing
import VisageCore

/// The built-in font has a distinct, in-cell glyph for every printable ASCII character.
struct BitmapFontTests {
    static let printable = (32...126).map { Character(UnicodeScalar(UInt8($0))) }

    static func render(_ character: Character) -> Image {
        var image = Image(width: 7, height: 9)
        image.drawText(String(character), at: Point(x: 0, y: 0), color: .white)
        return image
    }

    @Test func everyPrintableCharacterHasItsOwnGlyph() {
        var seen: [[UInt8]: Character] = [:]
        for character in Self.printable {
            let glyph = Self.render(character).pixels
            if let twin = seen[glyph] { Issue.record("\(character) draws the same as \(twin)") }
            seen[glyph] = character
        }
        #expect(seen.count == 95)
    }

    @Test func glyphsStayInsideTheirFiveBySevenCell() {
        for character in Self.printable {
            let glyph = Self.render(character)
            for y in 0..<9 {
                for x in 0..<7 where glyph[x, y] != .black {
                    #expect((1...5).contains(x) && (1...7).contains(y), "\(character) inks (\(x), \(y))")
                }
            }
        }
    }

    @Test func onlySpaceIsBlank() {
        let blank = Self.printable.filter { Self.render($0) == Image(width: 7, height: 9) }
        #expect(blank == [" "])
    }
}
