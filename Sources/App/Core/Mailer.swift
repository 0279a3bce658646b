import Domain
import Foundation
import Vapor

/// Every message Passerelle sends goes through here: to the SMTP server when one is configured,
/// otherwise to `outbox/` in the data folder (one `.eml` file per message, mode 0600), which is
/// how the embedded install delivers.
enum Mailer {
    struct NotSent: Error, CustomStringConvertible {
        let description: String
    }

    static func outbox(_ app: Application) throws -> String {
        let outbox = (app.config.dataDirectory as NSString).appendingPathComponent("outbox")
        try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return outbox
    }

    /// Sends one message; `name` is the outbox file's name (without `.eml`).
    static func send(_ app: Application, to address: String, message: String, name: String, mail: MailSettings = .fromEnvironment()) async throws {
        if mail.host != nil {
            try await SMTPClient(settings: mail, group: app.eventLoopGroup).send(to: address, message: message)
        } else {
            let path = (try outbox(app) as NSString).appendingPathComponent(name + ".eml")
            guard FileManager.default.createFile(atPath: path, contents: Data(message.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw NotSent(description: "cannot write \(path)")
            }
        }
    }

    /// An RFC 5322 plain-text message in UTF-8.
    static func message(from: String, to: String, subject: String, language: Language, messageID: String, lines: [String]) -> String {
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let headers = [
            "From: Passerelle <\(from)>", "To: \(to)", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: Date()))",
            "Message-ID: <\(messageID)@passerelle>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "Content-Language: \(language.localeIdentifier)",
        ]
        return (headers + [""] + lines).joined(separator: "\r\n") + "\r\n"
    }
}

/// One-time links (invitation, new password) and the notice of a two-factor reset go to the
/// person they are for, never onto the page of the admin who asked for them: an admin who could
/// read the link could sign in as that person.
enum AccountMail {
    enum Kind: String, Sendable {
        case invitation, passwordLink = "password_link", twoFactorReset = "two_factor_reset"
    }

    /// Sends the message; false (and the reason in the log) when the mail server or the outbox
    /// refused it, so the admin's page can say so instead of a generic error after the account
    /// or link was already saved.
    static func send(_ kind: Kind, to user: User, organisationName: String, link: String?, expires: Date?, req: Request) async -> Bool {
        let app = req.application
        let language = user.preferredLanguage
        let localizer = app.localizer
        func t(_ key: String, _ args: String...) -> String { localizer.text(key, language, args) }
        var lines = [t("mail.greeting", user.displayName), "", t("mail.\(kind.rawValue).intro", organisationName), ""]
        if let link {
            lines += [link, "", t("mail.link.expires", req.formatDateTime(expires, in: language) ?? "")]
        }
        lines += ["", t("mail.not_expected")]
        let mail = MailSettings.fromEnvironment()
        let id = "\(kind.rawValue)-\(UUID().uuidString)"
        let message = Mailer.message(
            from: mail.from, to: user.email, subject: t("mail.\(kind.rawValue).subject"), language: language,
            messageID: id, lines: lines)
        do {
            try await Mailer.send(app, to: user.email, message: message, name: "\(Int(req.now.timeIntervalSince1970))-\(id)", mail: mail)
            return true
        } catch {
            req.logger.error(
                "account e-mail not sent", metadata: ["kind": "\(kind.rawValue)", "user": "\(user.id?.uuidString ?? "")", "error": "\(error)"])
            return false
        }
    }
}
