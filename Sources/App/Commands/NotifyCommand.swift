import Domain
import Fluent
import Foundation
import Vapor

/// `passerelle notify`: sends the daily deadline digests that are due. Every active caseworker or
/// supervisor with deadlines, whose digest is on, gets one per calendar day (in the configured
/// time zone), whatever the hour it runs, and never two: the (user, day) row is claimed before the
/// message is written. On the embedded install mail goes to `outbox/` as one `.eml` per message.
struct NotifyCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Sends the daily deadline digests that are due (passerelle notify)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let sent = try await Self.sendDue(context.application, now: Date())
        context.console.print("digests sent: \(sent)")
    }

    static func sendDue(_ app: Application, now: Date, mail: MailSettings = .fromEnvironment()) async throws -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = app.config.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let today = Day(year: parts.year!, month: parts.month!, day: parts.day!)
        var sent = 0
        let users = try await User.query(on: app.db).filter(\.$isActive == true).filter(\.$digestEnabled == true).with(\.$organisation).all()
        for user in users where user.roleList.canReadCases && user.organisation.isActive {
            let (input, _) = try await DeadlineQueries.input(for: user, organisationID: user.$organisation.id, on: app.db, today: today)
            let board = DeadlineBoard.build(input, today: today)
            guard !board.isEmpty else { continue }
            let claimed = try await app.db.writeTransaction { db -> Bool in
                if try await DigestSend.query(on: db).filter(\.$userID == user.id!).filter(\.$day == today.description).count() > 0 { return false }
                try await DigestSend(userID: user.id!, day: today.description, sentAt: Date()).create(on: db)
                return true
            }
            guard claimed else { continue }
            let message = Digest.message(
                for: user, board: board, today: today, localizer: app.localizer, publicURL: app.config.publicURL, from: mail.from)
            do {
                try await Mailer.send(app, to: user.email, message: message, name: "\(today)-\(user.id!.uuidString)", mail: mail)
            } catch {
                // Not sent: release the claim so the next run tries again, and say why.
                try await DigestSend.query(on: app.db).filter(\.$userID == user.id!).filter(\.$day == today.description).delete()
                app.logger.error("digest not sent", metadata: ["user": "\(user.id!)", "error": "\(error)"])
                if mail.host == nil { throw error }
                continue
            }
            sent += 1
        }
        return sent
    }
}

/// The digest as an RFC 5322 message: references only, in the user's language.
enum Digest {
    static func message(for user: User, board: DeadlineBoard, today: Day, localizer: Localizer, publicURL: String, from: String) -> String {
        let language = user.preferredLanguage
        func t(_ key: String, _ args: String...) -> String { localizer.text(key, language, args) }
        var lines: [String] = [t("digest.greeting", user.displayName), ""]
        func section(_ key: String, _ items: [DeadlineBoard.Item]) {
            guard !items.isEmpty else { return }
            lines.append(t(key))
            for item in items { lines.append("  - \(item.reference) — \(item.day) — \(publicURL)\(SiteURL.caseFile(.value(item.caseID)).path)") }
            lines.append("")
        }
        section("deadlines.vowp", board.vowpWithoutNext)
        section("deadlines.within30", board.expiringWithin30)
        section("deadlines.within60", board.expiringWithin60)
        section("deadlines.within90", board.expiringWithin90)
        section("deadlines.waiting", board.waitingTooLong)
        if board.waitingNotListed > 0 {
            if board.waitingTooLong.isEmpty { lines.append(t("deadlines.waiting")) }
            lines.append(t("deadlines.waiting_more"))
            lines.append("")
        }
        section("deadlines.overdue", board.overdueTasks)
        lines.append(t("digest.footer", publicURL + SiteURL.deadlines.path))
        return Mailer.message(
            from: from, to: user.email, subject: t("digest.subject", today.description), language: language,
            messageID: "digest-\(today)-\(user.id!.uuidString)", lines: lines)
    }
}
