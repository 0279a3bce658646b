import Crypto
import Domain
import Foundation
import Vapor

/// Password hashing: bcrypt over the base64 SHA-256 of the password as typed. bcrypt alone reads
/// only the first 72 bytes, and 64 characters of French or Vietnamese easily exceed that; the
/// pre-hash makes every character count (STACK-NOTES, ASVS V6.2.9). Hashing runs on the thread
/// pool, never on an event loop.
struct PasswordService: Sendable {
    let cost: Int
    let policy: PasswordPolicy
    /// A real hash to verify against when the e-mail is unknown, so timing does not tell.
    let decoyHash: String

    static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    func hash(_ password: String, on pool: NIOThreadPool) async throws -> String {
        let cost = self.cost
        let prehashed = Self.prehash(password)
        return try await pool.runIfActive { try Bcrypt.hash(prehashed, cost: cost) }
    }

    func verify(_ password: String, against hash: String?, on pool: NIOThreadPool) async throws -> Bool {
        let prehashed = Self.prehash(password)
        let target = hash ?? decoyHash
        let matches = try await pool.runIfActive { try Bcrypt.verify(prehashed, created: target) }
        return hash != nil && matches
    }

    static func loadCommonPasswords(resourcesDirectory: String) throws -> Set<String> {
        let path = (resourcesDirectory as NSString).appendingPathComponent("Passwords/common-passwords.txt")
        return PasswordPolicy.parseList(try String(contentsOfFile: path, encoding: .utf8))
    }
}

struct PasswordsKey: StorageKey { typealias Value = PasswordService }

extension Application {
    var passwordService: PasswordService {
        get { storage[PasswordsKey.self]! }
        set { storage[PasswordsKey.self] = newValue }
    }
}
