import Vapor

/// A path parameter: `.key` where a route is registered (`:id`), `.value` where a link is built.
enum Parameter<Value: Sendable & Equatable & CustomStringConvertible>: Sendable, Equatable {
    case key
    case value(Value)
}

/// Every path of the site, so routes and links are built from the same value: a route registers
/// `SiteURL.caseFile(.key)` (its `pathComponents`), a page links to `SiteURL.caseFile(.value(id)).path`.
/// A renamed path changes both at once; a link to a path no route answers cannot be spelled.
enum SiteURL: Sendable, Equatable {
    case root, login, twoFactor, twoFactorSetup, logout, home
    case account, accountPassword, accountLanguage, accountDigest, accountTwoFactor
    case sessions, sessionEnd(Parameter<String>), sessionsEndOthers
    case organisations, organisationNew, organisation(Parameter<String>)
    case users, userNew, user(Parameter<String>), userAction(Parameter<String>, UserAction)
    case audit, healthz, metrics
    case setPassword(Parameter<String>)
    case cases, caseNew, caseSettings
    case caseFile(Parameter<String>)
    case casePart(Parameter<String>, CasePart)
    case caseItem(Parameter<String>, CaseItem, Parameter<String>)
    case deadlines, deadlinesCalendar, calendarFeed(user: Parameter<String>, token: Parameter<String>)
    case figures, figuresCSV
    case pathways, pathway(Parameter<String>)
    case directoryCSV, directoryHSDS(Parameter<String>)
    case directory, directoryStale, directoryService(Parameter<String>), directoryAction(Parameter<String>, DirectoryAction)
    case referrals, referral(Parameter<String>), referralAction(Parameter<String>, ReferralAction)
    case directoryNew, directoryImport, directoryImportApply(Parameter<String>)
    case networkTrends, networkTrendCSV(Parameter<String>), networkMicrodata

    /// What is done to one referral: a step of its state machine, opening a case from it, its letter.
    enum ReferralAction: String, Sendable, CaseIterable {
        case events
        case openCase = "open-case"
        case letter
    }

    /// What a listing's manager does to it, each a form posted to its own path.
    enum DirectoryAction: String, Sendable, CaseIterable {
        case capacity, verify, edit
    }

    /// What can be done to one account, each a form posted to its own path.
    enum UserAction: String, Sendable, CaseIterable {
        case roles, deactivate, reactivate
        case resetTwoFactor = "reset-two-factor"
        case passwordLink = "password-link"
    }

    /// A section or action of one case, under `/cases/:id/`.
    enum CasePart: String, Sendable, CaseIterable {
        case person, notes, status, assignments, purge, needs, tasks, consents, experience, export, applications, documents, referrals
        case safeContact = "safe-contact"
        case legalActions = "legal-actions"
        case redFlags = "red-flags"
        case exportJSON = "export.json"
    }

    /// One item of a case's section, under `/cases/:id/<section>/:item`.
    enum CaseItem: String, Sendable, CaseIterable {
        case taskDone, consentWithdraw, document, application, applicationChecklist, applicationEvents

        /// The section before the item and the action after it, if any.
        var segments: (section: String, action: String?) {
            switch self {
            case .taskDone: ("tasks", "done")
            case .consentWithdraw: ("consents", "withdraw")
            case .document: ("documents", nil)
            case .application: ("applications", nil)
            case .applicationChecklist: ("applications", "checklist")
            case .applicationEvents: ("applications", "events")
            }
        }
    }

    /// A path segment: fixed text, or a parameter with its route name.
    private enum Segment {
        case constant(String)
        case parameter(String, Parameter<String>)
    }

    private var segments: [Segment] {
        func c(_ parts: String...) -> [Segment] { parts.map(Segment.constant) }
        switch self {
        case .root: return []
        case .login: return c("login")
        case .twoFactor: return c("login", "two-factor")
        case .twoFactorSetup: return c("login", "two-factor", "setup")
        case .logout: return c("logout")
        case .home: return c("home")
        case .account: return c("account")
        case .accountPassword: return c("account", "password")
        case .accountLanguage: return c("account", "language")
        case .accountDigest: return c("account", "digest")
        case .accountTwoFactor: return c("account", "two-factor")
        case .sessions: return c("account", "sessions")
        case .sessionEnd(let id): return c("account", "sessions") + [.parameter("id", id), .constant("end")]
        case .sessionsEndOthers: return c("account", "sessions", "end-others")
        case .organisations: return c("organisations")
        case .organisationNew: return c("organisations", "new")
        case .organisation(let id): return c("organisations") + [.parameter("id", id)]
        case .users: return c("users")
        case .userNew: return c("users", "new")
        case .user(let id): return c("users") + [.parameter("id", id)]
        case .userAction(let id, let action): return c("users") + [.parameter("id", id), .constant(action.rawValue)]
        case .audit: return c("audit")
        case .healthz: return c("healthz")
        case .metrics: return c("metrics")
        case .setPassword(let token): return c("set-password") + [.parameter("token", token)]
        case .cases: return c("cases")
        case .caseNew: return c("cases", "new")
        case .caseSettings: return c("case-settings")
        case .caseFile(let id): return c("cases") + [.parameter("id", id)]
        case .casePart(let id, let part): return c("cases") + [.parameter("id", id), .constant(part.rawValue)]
        case .caseItem(let id, let item, let itemID):
            let (section, action) = item.segments
            return c("cases") + [.parameter("id", id), .constant(section), .parameter("item", itemID)] + (action.map { [.constant($0)] } ?? [])
        case .deadlines: return c("deadlines")
        case .deadlinesCalendar: return c("deadlines", "calendar")
        case .calendarFeed(let user, let token): return c("calendar") + [.parameter("user", user), .parameter("token", token)]
        case .figures: return c("applications", "figures")
        case .networkTrends: return c("network", "trends")
        case .networkMicrodata: return c("network", "microdata")
        case .networkTrendCSV(let table): return c("network", "trends") + [.parameter("table", table)]
        case .figuresCSV: return c("applications", "figures.csv")
        case .pathways: return c("pathways")
        case .pathway(let code): return c("pathways") + [.parameter("code", code)]
        case .directory: return c("directory")
        case .directoryStale: return c("directory", "stale")
        case .directoryCSV: return c("directory", "export.csv")
        case .directoryHSDS(let file): return c("directory", "hsds") + [.parameter("file", file)]
        case .directoryService(let id): return c("directory", "services") + [.parameter("id", id)]
        case .directoryAction(let id, let action): return c("directory", "services") + [.parameter("id", id), .constant(action.rawValue)]
        case .directoryNew: return c("directory", "new")
        case .directoryImport: return c("directory", "import")
        case .directoryImportApply(let id): return c("directory", "import") + [.parameter("id", id)]
        case .referrals: return c("referrals")
        case .referral(let id): return c("referrals") + [.parameter("id", id)]
        case .referralAction(let id, let action): return c("referrals") + [.parameter("id", id), .constant(action.rawValue)]
        }
    }

    /// What a route registers.
    var pathComponents: [PathComponent] {
        segments.map { segment in
            switch segment {
            case .constant(let text): .constant(text)
            case .parameter(let name, _): .parameter(name)
            }
        }
    }

    /// The path a link or a redirect goes to. A `.key` parameter is written as its route name
    /// (`:id`), which only a registration would want.
    var path: String {
        "/"
            + segments.map { segment in
                switch segment {
                case .constant(let text): text
                case .parameter(let name, .key): ":" + name
                case .parameter(_, .value(let value)): value.description
                }
            }.joined(separator: "/")
    }
}
