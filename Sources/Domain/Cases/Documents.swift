import Foundation

/// The document types a case accepts, recognised by their content (magic bytes), never by the
/// name or the type the browser claims.
public enum DocumentType: String, CaseIterable, Sendable {
    case pdf, jpeg, png, heic, docx, odt, text

    public var mimeType: String {
        switch self {
        case .pdf: "application/pdf"
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .heic: "image/heic"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .text: "text/plain; charset=utf-8"
        }
    }

    public var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .jpeg: "jpg"
        case .png: "png"
        case .heic: "heic"
        case .docx: "docx"
        case .odt: "odt"
        case .text: "txt"
        }
    }

    public static func detect(_ bytes: [UInt8]) -> DocumentType? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("ftyp".utf8), at: 4), bytes.count >= 12,
            ["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"].contains(String(decoding: bytes[8..<12], as: UTF8.self))
        {
            return .heic
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) {
            // ODF puts an uncompressed "mimetype" entry first; OOXML has "word/" entries.
            let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
            if head.contains("mimetypeapplication/vnd.oasis.opendocument.text") { return .odt }
            let whole = bytes.count > 2_000_000 ? Array(bytes.prefix(2_000_000)) : bytes
            if containsASCII(whole, "word/document.xml") || containsASCII(whole, "[Content_Types].xml") && containsASCII(whole, "word/") {
                return .docx
            }
            return nil
        }
        if !bytes.isEmpty, !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil { return .text }
        return nil
    }

    private static func containsASCII(_ bytes: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard pattern.count <= bytes.count else { return false }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], Array(bytes[index..<index + pattern.count]) == pattern { return true }
            index += 1
        }
        return false
    }
}

/// Removes metadata that can betray a person (GPS position, device, author, time) from images,
/// where that can be done without decoding them: JPEG APP1–APP15 segments (EXIF, XMP, IPTC) and
/// comments; PNG text, time and EXIF chunks. Other types are kept as they are.
public enum MetadataStripper {
    public static func strip(_ bytes: [UInt8], type: DocumentType) -> [UInt8] {
        switch type {
        case .jpeg: stripJPEG(bytes) ?? bytes
        case .png: stripPNG(bytes) ?? bytes
        default: bytes
        }
    }

    static func stripJPEG(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var output: [UInt8] = [0xFF, 0xD8]
        var index = 2
        while index + 4 <= bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xDA {  // start of scan: the rest is image data
                output.append(contentsOf: bytes[index...])
                return output
            }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { return nil }
            let isMetadata = (0xE1...0xEF).contains(marker) || marker == 0xFE
            if !isMetadata { output.append(contentsOf: bytes[index..<index + 2 + length]) }
            index += 2 + length
        }
        return nil
    }

    static func stripPNG(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count > 8 else { return nil }
        var output = Array(bytes[0..<8])
        var index = 8
        let dropped: Set<String> = ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]
        while index + 12 <= bytes.count {
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            let end = index + 12 + length
            guard length >= 0, end <= bytes.count else { return nil }
            let type = String(decoding: bytes[index + 4..<index + 8], as: UTF8.self)
            if !dropped.contains(type) { output.append(contentsOf: bytes[index..<end]) }
            index = end
            if type == "IEND" { return output }
        }
        return nil
    }
}
