import Crypto
import Foundation

/// The encryption envelope (ARCHITECTURE.md pattern 8). A master key, never stored in the
/// database, wraps one data key per case; identifying and narrative fields are sealed with the
/// case's data key, bound to (organisation, case, field) so a ciphertext copied to another place
/// fails to open. Purging a case deletes its wrapped data key: its sealed fields can no longer be
/// read, in the database or in any backup of it.
public enum Envelope {
    public enum Failure: Error, Equatable {
        case cannotOpen
        case badKeyLength
    }

    /// Format version prefixed to every sealed value, so the scheme can change without guessing.
    static let version: UInt8 = 1

    public static func newKey() -> SymmetricKey { SymmetricKey(size: .bits256) }

    public static func key(fromBase64 text: String) throws -> SymmetricKey {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw Failure.badKeyLength
        }
        return SymmetricKey(data: data)
    }

    public static func base64(_ key: SymmetricKey) -> String {
        key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    static func associatedData(_ parts: [String]) -> Data {
        // Length-prefixed, so ("ab","c") and ("a","bc") differ.
        var data = Data()
        for part in parts {
            let bytes = Data(part.utf8)
            var length = UInt32(bytes.count).bigEndian
            data.append(Data(bytes: &length, count: 4))
            data.append(bytes)
        }
        return data
    }

    static func seal(_ plaintext: Data, key: SymmetricKey, context: [String]) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: associatedData(context))
        guard let combined = box.combined else { throw Failure.cannotOpen }
        return Data([version]) + combined
    }

    static func open(_ sealed: Data, key: SymmetricKey, context: [String]) throws -> Data {
        guard sealed.first == version else { throw Failure.cannotOpen }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            return try AES.GCM.open(box, using: key, authenticating: associatedData(context))
        } catch {
            throw Failure.cannotOpen
        }
    }

    // MARK: - Data keys

    public static func wrap(dataKey: SymmetricKey, master: SymmetricKey, organisationID: String, caseID: String) throws -> Data {
        try seal(dataKey.withUnsafeBytes { Data($0) }, key: master, context: ["data-key", organisationID, caseID])
    }

    public static func unwrap(_ wrapped: Data, master: SymmetricKey, organisationID: String, caseID: String) throws -> SymmetricKey {
        SymmetricKey(data: try open(wrapped, key: master, context: ["data-key", organisationID, caseID]))
    }

    // MARK: - Fields

    public static func seal(field: String, value: String, dataKey: SymmetricKey, organisationID: String, caseID: String) throws -> Data {
        try seal(Data(value.utf8), key: dataKey, context: ["field", organisationID, caseID, field])
    }

    public static func open(field: String, sealed: Data, dataKey: SymmetricKey, organisationID: String, caseID: String) throws -> String {
        String(decoding: try open(sealed, key: dataKey, context: ["field", organisationID, caseID, field]), as: UTF8.self)
    }

    /// Binary content (documents), bound like fields.
    public static func sealData(_ value: Data, field: String, dataKey: SymmetricKey, organisationID: String, caseID: String) throws -> Data {
        try seal(value, key: dataKey, context: ["field", organisationID, caseID, field])
    }

    public static func openData(_ sealed: Data, field: String, dataKey: SymmetricKey, organisationID: String, caseID: String) throws -> Data {
        try open(sealed, key: dataKey, context: ["field", organisationID, caseID, field])
    }

    // MARK: - Key check

    /// A value sealed under the master key at first start: if the configured key cannot open it,
    /// the server must refuse to start rather than write data nobody can read later.
    public static func makeKeyCheck(master: SymmetricKey) throws -> Data {
        try seal(Data("passerelle-key-check".utf8), key: master, context: ["key-check"])
    }

    public static func verifyKeyCheck(_ sealed: Data, master: SymmetricKey) -> Bool {
        (try? open(sealed, key: master, context: ["key-check"])) == Data("passerelle-key-check".utf8)
    }

    /// Per-organisation key derived from the master key, for blind indexes: equal names in two
    /// organisations give unrelated index values.
    public static func derivedKey(master: SymmetricKey, purpose: String, organisationID: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: master, salt: Data("passerelle-\(purpose)".utf8),
            info: Data(organisationID.utf8), outputByteCount: 32)
    }
}

/// Full-token name search without the names in clear: each normalised token of a name is stored
/// as a keyed hash; a search hashes the tokens typed and matches cases holding all of them.
public struct BlindIndex: Sendable {
    private let key: SymmetricKey

    public init(master: SymmetricKey, organisationID: String) {
        key = Envelope.derivedKey(master: master, purpose: "blind-index", organisationID: organisationID)
    }

    public func terms(for name: String) -> [String] {
        Array(Set(NameTokens.tokens(name))).sorted().map(term)
    }

    public func term(_ token: String) -> String {
        Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: key).prefix(16))
    }
}

public enum Hex {
    /// Lower-case hexadecimal, two digits per byte (`String(format: "%02x")` per byte costs a
    /// formatter each: it was visible in the profile of every request).
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// How names are cut into searchable tokens: Unicode-normalised, case- and accent-insensitive
/// (so "Nguyễn" is found by "nguyen" and "Ọlá" by "ola"), split on spaces and punctuation.
/// Letters of every script are kept; marks are folded, and the Latin letters that have no
/// decomposition are transliterated (Đ→d, Ł→l, Ø→o, Æ→ae, Œ→oe, ß→ss, Þ→th), so "duc" finds
/// "Đức". A word joined by an apostrophe or a hyphen is indexed as its parts and joined:
/// "O'Brien-Smith" gives o, brien, smith, obrien, briensmith and obriensmith.
public enum NameTokens {
    /// Letters that Unicode does not decompose, as Latin-ASCII transliteration writes them.
    static let transliterations: [Unicode.Scalar: String] = [
        "đ": "d", "ð": "d", "ł": "l", "ŀ": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ẞ": "ss", "þ": "th",
        "ħ": "h", "ı": "i", "ŧ": "t", "ƀ": "b", "ɨ": "i", "ʉ": "u", "ŋ": "n", "ĸ": "k",
    ]

    /// Marks that join the parts of one name rather than separate two names.
    static let joiners: Set<Unicode.Scalar> = ["'", "\u{2019}", "\u{02BC}", "\u{2018}", "-", "\u{2010}", "\u{2011}"]

    public static func tokens(_ name: String) -> [String] {
        let folded = name.precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var tokens: [String] = []
        var parts: [String] = []
        var current = ""
        func endPart() {
            if !current.isEmpty { parts.append(current) }
            current = ""
        }
        func endWord() {
            endPart()
            tokens.append(contentsOf: parts)
            // Every run of two or more consecutive parts, joined.
            if parts.count > 1 {
                for start in 0..<(parts.count - 1) {
                    for end in (start + 1)..<parts.count { tokens.append(parts[start...end].joined()) }
                }
            }
            parts = []
        }
        for scalar in folded.unicodeScalars {
            if let latin = transliterations[scalar] {
                current += latin
            } else if CharacterSet.letters.contains(scalar) || CharacterSet.decimalDigits.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if CharacterSet.nonBaseCharacters.contains(scalar) {
                continue
            } else if joiners.contains(scalar) {
                endPart()
            } else {
                endWord()
            }
        }
        endWord()
        return tokens
    }
}
