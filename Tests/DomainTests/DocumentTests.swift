import Domain
import Testing

@Suite struct DocumentTests {
    static let jpegWithExif: [UInt8] =
        [
            0xFF, 0xD8,
            0xFF, 0xE0, 0x00, 0x06, 0x4A, 0x46, 0x49, 0x46,  // APP0 JFIF (kept)
            0xFF, 0xE1, 0x00, 0x08,
        ] + Array("Exif".utf8) + [
            0x00, 0x00,  // APP1 EXIF (dropped)
            0xFF, 0xFE, 0x00, 0x05, 0x47, 0x50, 0x53,  // comment "GPS" (dropped)
            0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9,
        ]  // scan data

    @Test func typesAreRecognisedByContent() {
        #expect(DocumentType.detect(Array("%PDF-1.7 ...".utf8)) == .pdf)
        #expect(DocumentType.detect(Self.jpegWithExif) == .jpeg)
        #expect(DocumentType.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) == .png)
        #expect(DocumentType.detect([0, 0, 0, 0x18] + Array("ftypheic".utf8) + [0, 0]) == .heic)
        #expect(
            DocumentType.detect(
                [0x50, 0x4B, 0x03, 0x04] + Array(String(repeating: " ", count: 26).utf8)
                    + Array("mimetypeapplication/vnd.oasis.opendocument.text".utf8)) == .odt)
        #expect(DocumentType.detect([0x50, 0x4B, 0x03, 0x04] + Array("....[Content_Types].xml....word/document.xml".utf8)) == .docx)
        #expect(DocumentType.detect(Array("Lettre d'appui — Ọlá, 2026".utf8)) == .text)
        #expect(DocumentType.detect(Array("MZ\u{0}\u{3}".utf8)) == nil)
        #expect(DocumentType.detect([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]) == nil)
        #expect(DocumentType.detect([0xC3, 0x28]) == nil)
    }

    @Test func jpegMetadataIsRemovedAndImageDataKept() {
        let stripped = MetadataStripper.strip(Self.jpegWithExif, type: .jpeg)
        #expect(!String(decoding: stripped, as: UTF8.self).contains("Exif"))
        #expect(!String(decoding: stripped, as: UTF8.self).contains("GPS"))
        #expect(Array(stripped.prefix(10)) == Array(Self.jpegWithExif.prefix(10)))
        #expect(Array(stripped.suffix(8)) == Array(Self.jpegWithExif.suffix(8)))
    }

    @Test func pngTextChunksAreRemoved() {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let n = data.count
            return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + Array(type.utf8) + data + [0, 0, 0, 0]
        }
        let png: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", Array(repeating: 1, count: 13))
            + chunk("tEXt", Array("Author\u{0}Someone".utf8)) + chunk("IDAT", [1, 2, 3]) + chunk("IEND", [])
        let stripped = MetadataStripper.strip(png, type: .png)
        #expect(!String(decoding: stripped, as: UTF8.self).contains("Author"))
        #expect(String(decoding: stripped, as: UTF8.self).contains("IDAT"))
        #expect(stripped.count == png.count - 12 - 14)
    }

    @Test func malformedImagesAreLeftAsTheyAre() {
        let broken: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]
        #expect(MetadataStripper.strip(broken, type: .jpeg) == broken)
    }
}
