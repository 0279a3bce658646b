import Domain
import Fluent
import Foundation
import Vapor

/// Referrals: the form from a case, the inbox (incoming and sent), a referral's page with the
/// steps each side may take, opening a case from an accepted one, and the printable letter for a
/// service outside the network. Caseworkers and supervisors only; a referral of a third
/// organisation is 404 on every route.
struct ReferralsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .casePart(.key, .referrals), access: .caseWorkers, use: form)
        routes.on(.POST, .casePart(.key, .referrals), access: .caseWorkers, use: send)
        routes.on(.GET, .referrals, access: .caseWorkers, use: inbox)
        routes.on(.GET, .referral(.key), access: .caseWorkers, use: show)
        routes.on(.POST, .referralAction(.key, .events), access: .caseWorkers, use: step)
        routes.on(.POST, .referralAction(.key, .openCase), access: .caseWorkers, use: openCase)
        routes.on(.GET, .referralAction(.key, .letter), access: .caseWorkers, use: letter)
    }

    static let messageLimit = 2000

    static func party(_ req: Request, _ side: ReferralParty) -> ReferralService.Party {
        ReferralService.Party(side: side, organisationID: req.currentUser!.organisation.id!, actor: req.auditActor, requestID: req.id)
    }

    // MARK: - The form, from a case

    struct FieldChoice: Encodable {
        let value: String
        let label: String
        /// What would travel, as the case holds it now.
        let preview: String
        let selected: Bool
    }

    struct Link: Encodable {
        let label: String
        let href: String
    }

    struct FormContext: Page {
        static let template = "referrals/new"

        let page: PageChrome
        let csrf: String
        let action: String
        let caseURL: String
        let consentURL: String
        let reference: String
        let serviceID: String
        let serviceName: String
        let serviceURL: String
        let receiverName: String
        let outsideNetwork: Bool
        let mayShare: Bool
        let needs: [FormOption]
        let fields: [FieldChoice]
        let bundles: [Link]
        let message: String
        let letterLanguages: [FormOption]
        let errors: FormErrors
    }

    struct SendForm: Content {
        var service: String?
        var needs: [String]?
        var fields: [String]?
        var message: String?
        var letterLanguage: String?
    }

    /// What the case would send, opened once for the form and for the snapshot.
    struct CaseContent {
        let preferredName: String
        let person: PersonSection?
        let safe: SafeContactSection?
        let needs: [CaseNeed]
    }

    static func content(of file: CaseFile, _ req: Request) async throws -> CaseContent {
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        return CaseContent(
            preferredName: try vault.openText(file.sealedPreferredName, field: .preferredName, with: opened),
            person: try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened),
            safe: try vault.openSection(SafeContactSection.self, file.sealedSafeContact, field: .safeContact, with: opened),
            needs: try await CaseNeed.query(on: req.db).filter(\.$caseID == file.id!).all())
    }

    static func service(_ raw: String?, _ req: Request) async throws -> (DirectoryService, DirectoryOrganisation)? {
        guard let id = raw.flatMap(UUID.init(uuidString:)) else { return nil }
        return try await DirectoryQueries.service(id, on: req.db)
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        guard let (service, listing) = try await Self.service(req.query[String.self, at: "service"], req) else { throw PageError.notFound }
        let content = try await Self.content(of: file, req)
        let bundle = req.query[String.self, at: "bundle"].flatMap(SharedBundle.init(rawValue:)) ?? .needsSummary
        try await CaseAccess.audit(req, .caseViewed, file, detail: "referral-form")
        return try await render(
            req, file: file, service: service, listing: listing, content: content, fields: Set(bundle.fields.map(\.rawValue)),
            needs: Set(content.needs.filter { $0.status != NeedStatus.met.rawValue }.map(\.need)), message: "",
            letterLanguage: req.language.rawValue, errors: FormErrors())
    }

    func render(
        _ req: Request, file: CaseFile, service: DirectoryService, listing: DirectoryOrganisation, content: CaseContent, fields: Set<String>,
        needs: Set<String>, message: String, letterLanguage: String, errors: FormErrors, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let id = file.id!.uuidString
        let consents = try await CaseConsent.query(on: req.db).filter(\.$caseID == file.id!).all().compactMap(\.record)
        let formURL = SiteURL.casePart(.value(id), .referrals).path
        let snapshot = ReferralSnapshot(
            fields: SharedField.allCases, preferredName: content.preferredName, person: content.person, province: file.province,
            safe: content.safe, needs: content.needs.compactMap { NeedKind(rawValue: $0.need) }, message: "")
        let previews = Dictionary(uniqueKeysWithValues: Self.sharedRows(snapshot, req).map { ($0.field, $0.value) })
        return try await req.render(
            FormContext(
                page: PageChrome(req, titleKey: "referral.new.title"), csrf: req.csrfToken, action: formURL,
                caseURL: SiteURL.caseFile(.value(id)).path, consentURL: SiteURL.caseFile(.value(id)).path + "#consent", reference: file.reference,
                serviceID: service.id!.uuidString, serviceName: DirectoryController.name(service, req),
                serviceURL: SiteURL.directoryService(.value(service.id!.uuidString)).path, receiverName: listing.name,
                outsideNetwork: listing.memberOrganisationID == nil,
                mayShare: ReferralRules.maySend(to: listing.name, consents: consents, at: req.now),
                needs: content.needs.compactMap { NeedKind(rawValue: $0.need) }.map {
                    FormOption(value: $0.rawValue, label: req.t($0.labelKey), selected: needs.contains($0.rawValue))
                },
                fields: SharedField.allCases.map { field in
                    FieldChoice(
                        value: field.rawValue, label: req.t(field.labelKey),
                        preview: field == .message ? "" : (previews[field.rawValue].map { $0.isEmpty ? "—" : $0 } ?? "—"),
                        selected: fields.contains(field.rawValue))
                },
                bundles: SharedBundle.allCases.map {
                    Link(label: req.t($0.labelKey), href: formURL + "?service=\(service.id!.uuidString)&bundle=\($0.rawValue)#fields")
                },
                message: message,
                letterLanguages: Language.allCases.map {
                    FormOption(value: $0.rawValue, label: req.t("language.\($0.rawValue)"), selected: $0.rawValue == letterLanguage)
                },
                errors: errors), status: status)
    }

    @Sendable
    func send(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(SendForm.self)) ?? SendForm()
        guard let (service, listing) = try await Self.service(form.service, req) else { throw PageError.notFound }
        let current = try req.requireUser()
        let content = try await Self.content(of: file, req)
        let caseNeeds = Set(content.needs.map(\.need))
        let needs = (form.needs ?? []).filter(caseNeeds.contains)
        let fields = ReferralRules.fields(ticked: form.fields ?? [], bundle: nil)
        let message = (form.message ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let letterLanguage = form.letterLanguage.flatMap(Language.init(rawValue:)) ?? req.language
        var errors = FormErrors()
        let consents = try await CaseConsent.query(on: req.db).filter(\.$caseID == file.id!).all().compactMap(\.record)
        if !ReferralRules.maySend(to: listing.name, consents: consents, at: req.now) {
            errors.add("consent", req.t("referral.error.no_consent", listing.name))
        }
        if listing.memberOrganisationID == current.organisation.id { errors.add("service", req.t("referral.error.own_service")) }
        if ServiceStatus(rawValue: service.status) == .defunct { errors.add("service", req.t("referral.error.defunct")) }
        if fields.isEmpty { errors.add("fields", req.t("referral.error.no_fields")) }
        if fields.contains(.needs), needs.isEmpty { errors.add("needs", req.t("referral.error.no_needs")) }
        if fields.contains(.message), message.isEmpty { errors.add("message", req.t("referral.error.no_message")) }
        errors.check("message", message, limit: Self.messageLimit, singleLine: false, req)
        if let raw = form.letterLanguage, Language(rawValue: raw) == nil { errors.add("letterLanguage", req.t("field.invalid_choice")) }
        guard errors.isEmpty else {
            return try await render(
                req, file: file, service: service, listing: listing, content: content, fields: Set(fields.map(\.rawValue)),
                needs: Set(needs), message: message, letterLanguage: letterLanguage.rawValue, errors: errors, status: .unprocessableEntity)
        }
        let kinds = needs.compactMap(NeedKind.init(rawValue:))
        let snapshot = ReferralSnapshot(
            fields: fields, preferredName: content.preferredName, person: content.person, province: file.province, safe: content.safe,
            needs: kinds, message: message)
        do {
            let referral = try await ReferralService.send(
                on: req.db, vault: req.caseVault, file: file, service: service, listing: listing, needs: kinds, snapshot: snapshot,
                letterLanguage: letterLanguage, sender: Self.party(req, .sender), now: req.now)
            return req.redirect(to: SiteURL.referral(.value(referral.id!.uuidString)).path, saved: .referralSent)
        } catch ReferralService.Failure.noConsent {
            errors.add("consent", req.t("referral.error.no_consent", listing.name))
            return try await render(
                req, file: file, service: service, listing: listing, content: content, fields: Set(fields.map(\.rawValue)),
                needs: Set(needs), message: message, letterLanguage: letterLanguage.rawValue, errors: errors, status: .unprocessableEntity)
        }
    }

    // MARK: - Shared fields in words

    struct SharedRow: Encodable {
        let field: String
        let label: String
        let value: String
    }

    /// The snapshot's fields as label and value, in the reader's language.
    static func sharedRows(_ snapshot: ReferralSnapshot, _ req: Request) -> [SharedRow] {
        snapshot.fields.compactMap(SharedField.init(rawValue:)).map { field in
            let value: String
            switch field {
            case .preferredName: value = snapshot.preferredName ?? ""
            case .pronouns: value = snapshot.pronouns ?? ""
            case .languages: value = snapshot.languages ?? ""
            case .interpreter: value = req.t(snapshot.interpreterNeeded == true ? "referral.interpreter.yes" : "referral.interpreter.no")
            case .provinceRegion:
                value = [
                    snapshot.province.flatMap(Province.init(rawValue:)).map { req.t($0.labelKey) },
                    snapshot.region.flatMap { $0.isEmpty ? nil : req.t("case.region.\($0)") },
                ].compactMap { $0 }.joined(separator: " · ")
            case .immigrationStatus: value = snapshot.immigrationStatus.flatMap(ImmigrationStatus.init(rawValue:)).map { req.t($0.labelKey) } ?? ""
            case .needs: value = (snapshot.needs ?? []).compactMap(NeedKind.init(rawValue:)).map { req.t($0.labelKey) }.joined(separator: ", ")
            case .safeContact:
                value = [
                    (snapshot.safeChannels ?? []).compactMap(SafeContactChannel.init(rawValue:)).map { req.t($0.labelKey) }.joined(separator: ", "),
                    snapshot.safeTimes ?? "",
                ].filter { !$0.isEmpty }.joined(separator: " — ")
            case .message: value = snapshot.message ?? ""
            }
            return SharedRow(field: field.rawValue, label: req.t(field.labelKey), value: value)
        }
    }

    /// The snapshot, if its key still exists.
    static func snapshot(of referral: Referral, _ req: Request) async throws -> ReferralSnapshot? {
        guard let sealed = referral.sealedSnapshot,
            let key = try await ReferralKey.query(on: req.db).filter(\.$referralID == referral.id!).first()
        else { return nil }
        let vault = req.caseVault
        let opened = try vault.openReferralKey(organisationID: referral.senderOrganisationID, referralID: referral.id!, wrapped: key.wrapped)
        return try JSONDecoder().decode(
            ReferralSnapshot.self, from: Data(try vault.openText(sealed, field: .referralSnapshot, with: opened).utf8))
    }

    // MARK: - Inbox

    struct Row: Encodable {
        let href: String
        let service: String
        let counterpart: String
        let state: String
        let stateRaw: String
        let at: String
    }

    /// One of the inbox's tables: its rows written by Swift (`SafeHTML.tableRows`), not by a
    /// LeafKit loop that interpreted and escaped each cell (a fifth of the page's time).
    struct InboxTable: Encodable {
        /// The rows on this page.
        let count: Int
        let rows: SafeHTML

        /// The column names, shown beside each value when the table becomes cards on a phone.
        struct Labels {
            let at: String
            let counterpart: String
            let service: String
            let state: String
        }

        init(_ rows: [Row], _ labels: Labels) {
            count = rows.count
            self.rows = .tableRows(
                rows.map { row in
                    [
                        .init(text: row.at, href: row.href, label: labels.at), .init(text: row.counterpart, label: labels.counterpart),
                        .init(text: row.service, label: labels.service), .init(text: row.state, label: labels.state),
                    ]
                })
        }
    }

    struct InboxContext: Page {
        static let template = "referrals/index"

        let page: PageChrome
        let pending: InboxTable
        let answered: InboxTable
        let sent: InboxTable
        let answeredTotal: Int
        let sentTotal: Int
        /// All waiting ones (the oldest are listed first, a page of them).
        let pendingTotal: Int
        let previousURL: String?
        let nextURL: String?
    }

    @Sendable
    func inbox(req: Request) async throws -> Response {
        let viewer = try await CaseAccess.viewer(req)
        let page = max(1, min(req.query[String.self, at: "page"].flatMap { Int($0) } ?? 1, 10_000))
        let inbox = try await ReferralQueries.inbox(viewer: viewer, page: page, on: req.db)
        let format = req.dateTimeFormat()
        let states = Dictionary(uniqueKeysWithValues: ReferralState.allCases.map { ($0.rawValue, req.t($0.labelKey)) })
        func row(_ referral: ReferralQueries.Listed, incoming: Bool) -> Row {
            Row(
                href: SiteURL.referral(.value(referral.id.hexText)).path, service: referral.serviceName,
                counterpart: incoming ? referral.senderName ?? "—" : referral.receiverName,
                state: states[referral.state] ?? req.t(referral.state), stateRaw: referral.state, at: format(referral.createdAt))
        }
        let more = max(inbox.answeredTotal, inbox.sentTotal) > page * ReferralQueries.perPage
        try await req.audit(.referralViewed, target: "inbox")
        let received = InboxTable.Labels(
            at: req.t("referral.received_on"), counterpart: req.t("referral.from"), service: req.t("referral.service"), state: req.t("referral.state")
        )
        let sentLabels = InboxTable.Labels(
            at: req.t("referral.sent_on"), counterpart: req.t("referral.to"), service: req.t("referral.service"), state: req.t("referral.state"))
        return try await req.render(
            InboxContext(
                page: PageChrome(req, titleKey: "referral.inbox.title"), pending: InboxTable(inbox.pending.map { row($0, incoming: true) }, received),
                answered: InboxTable(inbox.answered.map { row($0, incoming: true) }, received),
                sent: InboxTable(inbox.sent.map { row($0, incoming: false) }, sentLabels),
                answeredTotal: inbox.answeredTotal, sentTotal: inbox.sentTotal, pendingTotal: inbox.pendingTotal,
                previousURL: page > 1 ? SiteURL.referrals.path + "?page=\(page - 1)" : nil,
                nextURL: more ? SiteURL.referrals.path + "?page=\(page + 1)" : nil))
    }

    func organisationNames(_ ids: Set<UUID>, _ req: Request) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(
            try await Organisation.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: - One referral

    struct StepView: Encodable {
        let at: String
        let what: String
    }

    struct ActionView: Encodable {
        let event: String
        let label: String
        let isDecline: Bool
        let isDanger: Bool
    }

    struct ShowContext: Page {
        static let template = "referrals/show"

        let page: PageChrome
        let csrf: String
        let isSender: Bool
        let serviceName: String
        let serviceURL: String?
        let receiverName: String
        let senderName: String
        let state: String
        let stateRaw: String
        let declineReason: String?
        let sentAt: String
        let readable: Bool
        let shared: [SharedRow]
        let steps: [StepView]
        let actions: [ActionView]
        let eventsAction: String
        let reasons: [FormOption]
        let version: Int
        /// The sender's case, or the receiver's own case opened from the referral.
        let caseURL: String?
        let openCaseAction: String?
        let letterURL: String?
        let outsideNetwork: Bool
        let errors: FormErrors
    }

    func found(_ req: Request) async throws -> (Referral, ReferralSide) {
        guard let id = req.parameters.get("id", as: UUID.self),
            let found = try await ReferralQueries.find(id, viewer: try await CaseAccess.viewer(req), on: req.db)
        else { throw PageError.notFound }
        return found
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let (referral, side) = try await found(req)
        try await req.audit(.referralViewed, target: referral.id!.uuidString, detail: side == .sender ? "sender" : "receiver")
        return try await render(req, referral, side: side, errors: FormErrors())
    }

    func render(_ req: Request, _ referral: Referral, side: ReferralSide, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws
        -> Response
    {
        let id = referral.id!.uuidString
        let snapshot = try await Self.snapshot(of: referral, req)
        let names = try await organisationNames([referral.senderOrganisationID], req)
        let senderName = names[referral.senderOrganisationID] ?? "—"
        let steps = try await ReferralQueries.steps(of: referral.id!, on: req.db)
        let state = ReferralState(rawValue: referral.state) ?? .revoked
        let actions = ReferralMachine.events(from: state, by: side.party, outsideNetwork: referral.outsideNetwork).map { event in
            ActionView(
                event: event.rawValue, label: req.t(referral.outsideNetwork ? event.labelKey + "_outside" : event.labelKey),
                isDecline: event == .decline, isDanger: event == .revoke || event == .decline)
        }
        let caseURL: String? =
            side == .sender
            ? referral.caseID.map { SiteURL.caseFile(.value($0.uuidString)).path }
            : referral.receiverCaseID.map { SiteURL.caseFile(.value($0.uuidString)).path }
        let mayOpenCase = side == .receiver && referral.receiverCaseID == nil && snapshot != nil && (state == .accepted || state == .completed)
        return try await req.render(
            ShowContext(
                page: PageChrome(req, titleKey: "referral.show.title", titleText: "\(referral.serviceName) — \(req.t("referral.show.title"))"),
                csrf: req.csrfToken, isSender: side == .sender, serviceName: referral.serviceName,
                serviceURL: referral.serviceID.map { SiteURL.directoryService(.value($0.uuidString)).path },
                receiverName: referral.receiverName, senderName: senderName, state: req.t(state.labelKey), stateRaw: state.rawValue,
                declineReason: referral.declineReason.flatMap(DeclineReason.init(rawValue:)).map { req.t($0.labelKey) },
                sentAt: req.formatDateTime(referral.createdAt) ?? "", readable: snapshot != nil,
                shared: snapshot.map { Self.sharedRows($0, req) } ?? [],
                steps: steps.map { step in
                    let who = step.party == ReferralParty.sender.rawValue ? senderName : referral.receiverName
                    let reason = step.reason.flatMap(DeclineReason.init(rawValue:)).map { " — " + req.t($0.labelKey) } ?? ""
                    return StepView(at: req.formatDateTime(step.at) ?? "", what: req.t("referral.step.\(step.event)", who) + reason)
                },
                actions: actions, eventsAction: SiteURL.referralAction(.value(id), .events).path,
                reasons: req.options(DeclineReason.self, selected: [], label: \.labelKey), version: referral.version,
                caseURL: caseURL, openCaseAction: mayOpenCase ? SiteURL.referralAction(.value(id), .openCase).path : nil,
                letterURL: side == .sender && referral.outsideNetwork && snapshot != nil ? SiteURL.referralAction(.value(id), .letter).path : nil,
                outsideNetwork: referral.outsideNetwork, errors: errors), status: status)
    }

    struct StepForm: Content {
        var event: String?
        var reason: String?
        @LenientInt var version: Int? = nil
    }

    @Sendable
    func step(req: Request) async throws -> Response {
        let (referral, side) = try await found(req)
        let form = (try? req.content.decode(StepForm.self)) ?? StepForm()
        var errors = FormErrors()
        guard let event = form.event.flatMap(ReferralEvent.init(rawValue:)) else {
            errors.add("event", req.t("field.invalid_choice"))
            return try await render(req, referral, side: side, errors: errors, status: .unprocessableEntity)
        }
        let reason = form.reason.flatMap { $0.isEmpty ? nil : DeclineReason(rawValue: $0) }
        if event == .decline, reason == nil {
            errors.add("reason", req.t("referral.error.reason"))
            return try await render(req, referral, side: side, errors: errors, status: .unprocessableEntity)
        }
        do {
            _ = try await ReferralService.apply(
                event, to: referral.id!, expectedVersion: form.version ?? -1, reason: reason, by: Self.party(req, side.party), now: req.now,
                vault: req.caseVault, on: req.db)
        } catch let failure as ReferralService.Failure {
            errors.add("event", req.t(failure == .stale ? "referral.error.stale" : "referral.error.not_allowed"))
            let fresh = try await Referral.find(referral.id!, on: req.db) ?? referral
            return try await render(req, fresh, side: side, errors: errors, status: .conflict)
        }
        return req.redirect(to: SiteURL.referral(.value(referral.id!.uuidString)).path, saved: .referralUpdated)
    }

    @Sendable
    func openCase(req: Request) async throws -> Response {
        let (referral, side) = try await found(req)
        let current = try req.requireUser()
        guard side == .receiver, let snapshot = try await Self.snapshot(of: referral, req) else {
            var errors = FormErrors()
            errors.add("event", req.t("referral.error.not_allowed"))
            return try await render(req, referral, side: side, errors: errors, status: .conflict)
        }
        do {
            let file = try await ReferralService.openCase(
                from: referral.id!, snapshot: snapshot, organisation: current.organisation, user: current.user, vault: req.caseVault,
                by: Self.party(req, .receiver), now: req.now, timeZone: req.config.timeZone, on: req.db)
            return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path, saved: .referralCaseOpened)
        } catch is ReferralService.Failure {
            var errors = FormErrors()
            errors.add("event", req.t("referral.error.not_allowed"))
            let fresh = try await Referral.find(referral.id!, on: req.db) ?? referral
            return try await render(req, fresh, side: side, errors: errors, status: .conflict)
        }
    }

    // MARK: - The letter, outside the network

    struct LetterContext: Page {
        static let template = "referrals/letter"

        let page: PageChrome
        let date: String
        let serviceName: String
        let receiverName: String
        let shared: [SharedRow]
        let senderOrganisation: String
        let senderName: String
        let senderEmail: String
        let backURL: String
    }

    @Sendable
    func letter(req: Request) async throws -> Response {
        let (referral, side) = try await found(req)
        guard side == .sender, referral.outsideNetwork, let snapshot = try await Self.snapshot(of: referral, req) else { throw PageError.notFound }
        // The letter is written in the language chosen for the person, whatever the reader's.
        req.setLanguage(Language(rawValue: referral.letterLanguage) ?? req.language)
        let sender: User? = if let id = referral.senderUserID { try await User.find(id, on: req.db) } else { nil }
        let current = try req.requireUser()
        try await req.audit(.referralViewed, target: referral.id!.uuidString, detail: "letter")
        return try await req.render(
            LetterContext(
                page: PageChrome(req, titleKey: "referral.letter.title"), date: req.formatDay(Day(referral.createdAt)),
                serviceName: referral.serviceName, receiverName: referral.receiverName, shared: Self.sharedRows(snapshot, req),
                senderOrganisation: current.organisation.name, senderName: sender?.displayName ?? current.user.displayName,
                senderEmail: sender?.email ?? current.user.email, backURL: SiteURL.referral(.value(referral.id!.uuidString)).path))
    }
}
