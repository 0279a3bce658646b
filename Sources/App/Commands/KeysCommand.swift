import Crypto
import Domain
import Fluent
import Foundation
import Vapor

/// `passerelle keys rotate`: a new master key rewraps every case's data key; the data itself is
/// not touched. With a key file, the new key replaces it (the old one is kept beside it, renamed,
/// for backups made before the rotation); with PASSERELLE_MASTER_KEY, the new key is printed and
/// must replace the variable before the next start.
struct KeysCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "rotate")
        var action: String
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    var help: String { "Rotates the master key (passerelle keys rotate)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "rotate" else { throw Refused(description: "unknown action; use: passerelle keys rotate") }
        let app = context.application
        let old = app.masterKey
        let new = Envelope.newKey()
        let fromEnvironment = ProcessInfo.processInfo.environment["PASSERELLE_MASTER_KEY"].map { !$0.isEmpty } ?? false
        let path = (app.config.dataDirectory as NSString).appendingPathComponent(MasterKeyProvider.fileName)
        let pending = path + ".new"
        if !fromEnvironment {
            // The new key reaches the disk before any data depends on it.
            guard
                FileManager.default.createFile(
                    atPath: pending, contents: Data((Envelope.base64(new) + "\n").utf8),
                    attributes: [.posixPermissions: 0o600])
            else {
                throw Refused(description: "cannot write \(pending)")
            }
        }
        let count = try await Self.rewrap(on: app.db, from: old, to: new)
        if fromEnvironment {
            context.console.print("new PASSERELLE_MASTER_KEY (set it before the next start): \(Envelope.base64(new))")
        } else {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            try FileManager.default.moveItem(atPath: path, toPath: path + ".retired-" + stamp)
            try FileManager.default.moveItem(atPath: pending, toPath: path)
            context.console.print("previous key kept as \(path).retired-\(stamp), for backups made before now; delete it when they expire")
        }
        context.console.print("master key rotated: \(count) case keys rewrapped")
    }

    /// Rewraps every data key, recomputes the blind index and replaces the key check, in one
    /// transaction: all or nothing.
    static func rewrap(on db: any Database, from old: SymmetricKey, to new: SymmetricKey) async throws -> Int {
        try await db.writeTransaction { db in
            let vault = CaseVault(master: new)
            let count = try await CaseNameIndex.eachCaseKey(on: db) { key, file in
                let organisationID = file.$organisation.id.uuidString
                let dataKey = try Envelope.unwrap(key.wrapped, master: old, organisationID: organisationID, caseID: key.caseID.uuidString)
                key.wrapped = try Envelope.wrap(dataKey: dataKey, master: new, organisationID: organisationID, caseID: key.caseID.uuidString)
                try await key.save(on: db)
                // Blind-index keys derive from the master key: the name terms are recomputed too.
                let opened = CaseVault.Opened(key: dataKey, organisationID: organisationID, caseID: key.caseID.uuidString)
                try await CaseNameIndex.reindex(file, caseID: key.caseID, opened: opened, vault: vault, on: db)
            }
            // Referral keys are wrapped like case keys, bound to the sending organisation.
            for key in try await ReferralKey.query(on: db).all() {
                guard let referral = try await Referral.find(key.referralID, on: db) else { continue }
                let organisationID = referral.senderOrganisationID.uuidString
                let context = "referral:" + key.referralID.uuidString
                let dataKey = try Envelope.unwrap(key.wrapped, master: old, organisationID: organisationID, caseID: context)
                key.wrapped = try Envelope.wrap(dataKey: dataKey, master: new, organisationID: organisationID, caseID: context)
                try await key.save(on: db)
            }
            // The network figures' contributions are stored under keyed hashes of the cases.
            try await EvidenceFacts.rebuild(inTransaction: db, vault: vault, now: Date())
            try await RedFlagTokens.rebuild(inTransaction: db, vault: vault, previous: old, now: Date())
            // Two-factor secrets are sealed under a key derived from the master key too.
            for user in try await User.query(on: db).filter(\.$totpSecret != nil).all() {
                guard let stored = user.totpSecret, let secret = TwoFactor.open(stored, userID: user.id!, master: old) else { continue }
                user.totpSecret = try TwoFactor.seal(secret, userID: user.id!, master: new)
                try await user.save(on: db)
            }
            try await KeyCheck.query(on: db).delete()
            try await KeyCheck(sealed: try Envelope.makeKeyCheck(master: new)).create(on: db)
            return count
        }
    }
}
