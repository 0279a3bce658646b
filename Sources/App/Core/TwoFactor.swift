import Crypto
import Domain
import Foundation
import Vapor

/// TOTP (RFC 6238, 6 digits, 30 s, SHA-1 as every authenticator app expects) with Vapor's
/// generator. A code is accepted once: the accepted time step is stored and later steps only
/// are accepted after it.
enum TwoFactor {
    static let interval = 30
    static let issuer = "Passerelle"

    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base32.encode((0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The time step the code belongs to, if it matches now ±1 step and is later than `lastStep`.
    static func acceptedStep(code: String, secret: String, lastStep: Int64?, now: Date = Date()) -> Int64? {
        let code = code.filter(\.isNumber)
        guard code.count == 6, let key = Base32.decode(secret) else { return nil }
        let totp = TOTP(key: SymmetricKey(data: key), digest: .sha1, digits: .six, interval: interval)
        let currentStep = Int64(now.timeIntervalSince1970) / Int64(interval)
        for offset in [-1, 0, 1] as [Int64] {
            let step = currentStep + offset
            if let lastStep, step <= lastStep { continue }
            let expected = totp.generate(time: Date(timeIntervalSince1970: TimeInterval(step * Int64(interval))))
            if Secrets.constantTimeEqual(expected, code) { return step }
        }
        return nil
    }

    /// The stored form of a secret: sealed with a key derived from the master key and bound to
    /// the user, so a copy of the database does not hand over anyone's second factor.
    static func seal(_ secret: String, userID: UUID, master: SymmetricKey) throws -> String {
        let key = Envelope.derivedKey(master: master, purpose: "totp", organisationID: userID.uuidString)
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Data(userID.uuidString.utf8))
        guard let combined = box.combined else { throw Envelope.Failure.cannotOpen }
        return "v1:" + combined.base64EncodedString()
    }

    /// The secret of a stored value; secrets stored in clear by earlier versions are read as they are.
    static func open(_ stored: String, userID: UUID, master: SymmetricKey) -> String? {
        guard stored.hasPrefix("v1:") else { return Base32.decode(stored) == nil ? nil : stored }
        let key = Envelope.derivedKey(master: master, purpose: "totp", organisationID: userID.uuidString)
        guard let data = Data(base64Encoded: String(stored.dropFirst(3))), let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key, authenticating: Data(userID.uuidString.utf8))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    static func provisioningURI(secret: String, account: String) -> String {
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(secret)&issuer=\(issuer)&algorithm=SHA1&digits=6&period=\(interval)"
    }

    /// The secret in groups of four, easier to type into a phone.
    static func grouped(_ secret: String) -> String {
        stride(from: 0, to: secret.count, by: 4).map { offset -> String in
            let start = secret.index(secret.startIndex, offsetBy: offset)
            let end = secret.index(start, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex
            return String(secret[start..<end])
        }.joined(separator: " ")
    }
}

/// RFC 4648 base32 without padding, the form authenticator apps take.
enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = ((buffer << 8) | Int(byte)) & 0xFFFF
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }

    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in text.uppercased() where character != " " && character != "=" {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = ((buffer << 5) | value) & 0xFFFF
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}
