import Domain
import Vapor

/// What the base layout needs on every page: language, the link to the other language, who is
/// signed in, the navigation their roles open, and the CSRF token of the sign-out form.
struct PageChrome: Encodable {
    struct NavItem: Encodable {
        let href: String
        let labelKey: String
        let current: Bool
    }

    let lang: String
    let otherLang: String
    let otherLangLabelKey: String
    let otherLangURL: String
    let titleKey: String
    /// A title of the page's own (a case's reference), written instead of the key's text.
    var titleText: String? = nil
    let demo: Bool
    let signedIn: Bool
    let userName: String?
    let organisationName: String?
    let csrf: String?
    let nav: [NavItem]
    /// The print-only title line: who printed, when (a page on paper says where it came from).
    let printedAt: String?
    /// What the last save did, from `?saved=` after its redirect ("Note ajoutée."), in the page's language.
    let saved: String?

    /// The site's fixed paths, so templates link through `#(page.links.name)` instead of spelling
    /// them. They never change, so `LocalizedTemplates` writes them into each template at load
    /// (encoding them into every page's context was a tenth of a page's rendering).
    struct Links: Encodable, Sendable {
        static let site = Links()
        /// Each path by its name, for `LocalizedTemplates`.
        static let byName: [String: String] = {
            guard let data = try? JSONEncoder().encode(site), let paths = try? JSONDecoder().decode([String: String].self, from: data) else {
                return [:]
            }
            return paths
        }()

        let root = SiteURL.root.path
        let login = SiteURL.login.path
        let logout = SiteURL.logout.path
        let home = SiteURL.home.path
        let account = SiteURL.account.path
        let accountPassword = SiteURL.accountPassword.path
        let accountLanguage = SiteURL.accountLanguage.path
        let accountDigest = SiteURL.accountDigest.path
        let accountTwoFactor = SiteURL.accountTwoFactor.path
        let sessions = SiteURL.sessions.path
        let sessionsEndOthers = SiteURL.sessionsEndOthers.path
        let organisations = SiteURL.organisations.path
        let organisationNew = SiteURL.organisationNew.path
        let users = SiteURL.users.path
        let userNew = SiteURL.userNew.path
        let audit = SiteURL.audit.path
        let cases = SiteURL.cases.path
        let caseNew = SiteURL.caseNew.path
        let caseSettings = SiteURL.caseSettings.path
        let deadlines = SiteURL.deadlines.path
        let deadlinesCalendar = SiteURL.deadlinesCalendar.path
        let figuresCSV = SiteURL.figuresCSV.path
        let networkTrends = SiteURL.networkTrends.path
        let pathways = SiteURL.pathways.path
        let directory = SiteURL.directory.path
        let directoryStale = SiteURL.directoryStale.path
        let referrals = SiteURL.referrals.path
        let directoryNew = SiteURL.directoryNew.path
        let directoryImport = SiteURL.directoryImport.path
        let directoryCSV = SiteURL.directoryCSV.path
        let directoryPackage = SiteURL.directoryHSDS(.value("datapackage.json")).path
    }

    fileprivate static func navigation(for current: CurrentUser?, path: String) -> [NavItem] {
        guard let current else { return [] }
        var items: [(String, String)] = [(SiteURL.home.path, "nav.home")]
        if current.roles.canReadCases {
            items.append((SiteURL.cases.path, "nav.cases"))
            items.append((SiteURL.deadlines.path, "nav.deadlines"))
        }
        items.append((SiteURL.directory.path, "nav.directory"))
        if current.roles.canReadCases { items.append((SiteURL.referrals.path, "nav.referrals")) }
        if current.has(.supervisor) { items.append((SiteURL.figures.path, "nav.figures")) }
        if current.hasAny([.supervisor, .networkCoordinator]) { items.append((SiteURL.networkTrends.path, "nav.trends")) }
        if current.hasAny([.systemAdmin]) {
            items.append((SiteURL.organisations.path, "nav.organisations"))
            items.append((SiteURL.pathways.path, "nav.pathways"))
        }
        if current.hasAny([.orgAdmin, .systemAdmin]) {
            items.append((SiteURL.users.path, "nav.users"))
            items.append((SiteURL.audit.path, "nav.audit"))
        }
        items.append((SiteURL.account.path, "nav.account"))
        return items.map { NavItem(href: $0.0, labelKey: $0.1, current: path == $0.0 || path.hasPrefix($0.0 + "/")) }
    }
}

/// The message after a save, named in the redirect that follows it (`?saved=note`): a fixed
/// list, so a link cannot make the page say anything else.
enum SavedNotice: String, CaseIterable {
    case caseOpened = "case", note, task, taskDone = "task_done", consent, consentWithdrawn = "consent_withdrawn", needs, document, person
    case safeContact = "safe_contact", legalAction = "legal_action", experience, status, assignments, purged, application
    case applicationStep = "application_step", checklist, pathway, organisation, calendar
    case directoryCapacity = "directory_capacity", directoryVerified = "directory_verified", directoryUpdated = "directory_updated"
    case directoryImported = "directory_imported", directoryCreated = "directory_created"
    case referralSent = "referral_sent", referralUpdated = "referral_updated", referralCaseOpened = "referral_case_opened"
    case redFlagContact = "red_flag_contact"

    var key: String { "saved.\(rawValue)" }

    /// `path` with the notice added to its query, before any `#fragment`.
    func appended(to path: String) -> String {
        let parts = path.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        let fragment = parts.count > 1 ? "#" + parts[1] : ""
        return base + (base.contains("?") ? "&" : "?") + "saved=" + rawValue + fragment
    }
}

extension Request {
    /// The redirect after a save, with its message for the next page.
    func redirect(to path: String, saved: SavedNotice) -> Response {
        redirect(to: saved.appended(to: path))
    }
}

/// A page's context, naming the template it fills (`Resources/Views/<template>.leaf`). Every page
/// is rendered through `Request.render(_:)`, so no template is named anywhere else; each has a
/// `.mock` in the tests, rendered in both languages against its template.
protocol Page: Encodable {
    static var template: String { get }
    /// A part of a page, rendered on its own to be kept and written into its page (no `<main>`).
    static var isFragment: Bool { get }
}

extension Page {
    static var isFragment: Bool { false }
}

extension PageChrome {
    init(_ request: Request, titleKey: String, titleText: String? = nil) {
        self.titleText = titleText
        let language = request.language
        let other: Language = language == .fr ? .en : .fr
        lang = language.localeIdentifier
        otherLang = other.localeIdentifier
        otherLangLabelKey = "language.switch_to.\(other.rawValue)"
        var items = URLComponents(string: request.url.string)?.queryItems?.filter { $0.name != "lang" } ?? []
        items.append(URLQueryItem(name: "lang", value: other.rawValue))
        var components = URLComponents()
        components.path = request.url.path
        components.queryItems = items
        otherLangURL = components.string ?? "?lang=\(other.rawValue)"
        self.titleKey = titleKey
        demo = request.config.demoMode
        let current = request.currentUser
        signedIn = current != nil
        userName = current?.user.displayName
        organisationName = current?.organisation.name
        // Only pages that already have a session need the token (sign-out form, every form of a
        // signed-in user); anonymous pages with forms ask for it through `request.csrfToken`.
        csrf = request.hasSession ? request.csrfToken : nil
        nav = Self.navigation(for: current, path: request.url.path)
        printedAt = current == nil ? nil : request.formatDateTime(request.now)
        saved = request.query[String.self, at: "saved"].flatMap(SavedNotice.init(rawValue:)).map { request.t($0.key) }
    }
}

extension Request {
    /// Renders a page with its typed context, from the template in the page's language
    /// (`LocalizedTemplates`).
    func render<P: Page>(_ page: P, status: HTTPResponseStatus = .ok) async throws -> Response {
        let response = try await view.render("\(language.rawValue)/\(P.template)", page).encodeResponse(for: self).get()
        response.status = status
        return response
    }
}

/// Markup that Swift code built escaping every value in it (`HTML.escape`); templates write it
/// with `#html(…)`, as is. Only this type reaches `#html`: a plain string would be written
/// unescaped, so contexts never pass one there.
struct SafeHTML: Encodable {
    let markup: String

    /// Only the escaping builders below make one.
    private init(markup: String) { self.markup = markup }

    static let empty = SafeHTML(markup: "")

    /// What a template rendered (Leaf escaped every value it wrote), kept to be written again.
    static func rendered(_ view: View) -> SafeHTML { SafeHTML(markup: String(buffer: view.data)) }

    /// The key under which a SafeHTML reaches a template: `#html` accepts nothing else, so a
    /// plain string in a context can never be written unescaped.
    static let marker = "passerelle.safe-html"

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode([Self.marker: markup])
    }

    /// A table cell: its text, and the address it links to if any.
    struct Cell {
        let text: String
        var href: String? = nil
        /// The column's name, shown beside the value when the table becomes cards on a phone.
        var label: String? = nil
        /// Shown in the danger style (an overdue date).
        var danger = false
    }

    /// `<tr><td>…</td>…</tr>` for each row. A long table costs LeafKit one interpreted expression
    /// and one scalar-by-scalar escape per cell — a fifth of the case list's time for 25 rows.
    static func tableRows(_ rows: [[Cell]]) -> SafeHTML {
        var html: [UInt8] = []
        html.reserveCapacity(rows.count * 512)
        // A column's label is the same on every row: escaped once.
        var labels: [(text: String, escaped: [UInt8])?] = []
        func append(_ literal: StaticString) {
            html.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }
        for row in rows {
            append("<tr>")
            for (column, cell) in row.enumerated() {
                append("<td")
                if let label = cell.label {
                    if labels.count <= column { labels.append(contentsOf: repeatElement(nil, count: column + 1 - labels.count)) }
                    if labels[column]?.text != label {
                        var escaped: [UInt8] = []
                        HTML.escape(label, into: &escaped)
                        labels[column] = (label, escaped)
                    }
                    append(" data-label=\"")
                    html.append(contentsOf: labels[column]!.escaped)
                    append("\"")
                }
                if cell.danger { append(" class=\"danger-text\">") } else { append(">") }
                if let href = cell.href {
                    append("<a href=\"")
                    HTML.escape(href, into: &html)
                    append("\">")
                    HTML.escape(cell.text, into: &html)
                    append("</a></td>")
                } else {
                    HTML.escape(cell.text, into: &html)
                    append("</td>")
                }
            }
            append("</tr>\n")
        }
        return SafeHTML(markup: String(decoding: html, as: UTF8.self))
    }

    /// A labelled select with an empty first choice, in a `div.field`.
    struct SelectField {
        let id: String
        let name: String
        let label: String
        let options: [FormOption]
    }

    /// The fields one after the other. The case page's needs grid (fourteen selects of six
    /// choices) was a third of the values LeafKit encoded and walked for that page.
    static func selectFields(_ fields: [SelectField]) -> SafeHTML {
        var html = ""
        for field in fields {
            let id = HTML.escape(field.id)
            html +=
                "<div class=\"field\"><label for=\"" + id + "\">" + HTML.escape(field.label) + "</label><select id=\"" + id
                + "\" name=\"" + HTML.escape(field.name) + "\"><option value=\"\">—</option>" + options(field.options) + "</select></div>"
        }
        return SafeHTML(markup: html)
    }

    /// Markup written piece by piece: only string literals go in as they are, every other value
    /// is escaped (`HTML.escape`), so what a builder makes is as safe as what Leaf writes.
    struct Builder {
        fileprivate var markup = ""

        /// Markup from the source code itself.
        mutating func raw(_ literal: StaticString) { markup += literal.description }

        /// A value, escaped.
        mutating func text(_ value: String) { markup += HTML.escape(value) }

        /// Markup another builder made.
        mutating func append(_ html: SafeHTML) { markup += html.markup }
    }

    static func build(_ body: (inout Builder) -> Void) -> SafeHTML {
        var builder = Builder()
        body(&builder)
        return SafeHTML(markup: builder.markup)
    }

    /// A select's choices written once, for `#field(…, "select")`.
    static func optionList(_ options: [FormOption]) -> SafeHTML { SafeHTML(markup: Self.options(options)) }

    /// `<option>` elements, the selected ones marked.
    static func options(_ options: [FormOption]) -> String {
        var html = ""
        for option in options {
            html +=
                "<option value=\"" + HTML.escape(option.value) + "\"" + (option.selected ? " selected" : "") + ">" + HTML.escape(option.label)
                + "</option>"
        }
        return html
    }
}

/// One choice of a select, radio or checkbox list, its label already in the page's language.
struct FormOption: Encodable {
    let value: String
    let label: String
    let selected: Bool
}

extension Request {
    /// A choice list of every value of an enum, labelled from the catalog in the reader's language.
    func options<E: RawRepresentable & CaseIterable>(_ type: E.Type, selected: Set<String>, label: KeyPath<E, String>) -> [FormOption]
    where E.RawValue == String {
        E.allCases.map { FormOption(value: $0.rawValue, label: t($0[keyPath: label]), selected: selected.contains($0.rawValue)) }
    }
}

/// The same, labelled by a catalog key that the template translates with `#t`.
struct KeyedOption: Encodable {
    let value: String
    let labelKey: String
    let selected: Bool
}

/// A list page's link to another page, keeping its filters (empty ones dropped).
func listPageURL(_ path: String, _ filters: [(String, String?)], page: Int) -> String {
    var components = URLComponents()
    components.path = path
    components.queryItems =
        filters.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) } }
        + [URLQueryItem(name: "page", value: String(page))]
    return components.string ?? path
}

/// A field's error message (already in the page's language) and the value to show again.
/// Keyed by the field's id, so the error summary links to the field (`form` is a message about
/// the whole form, shown by the template itself).
struct FormErrors: Encodable {
    private(set) var messages: [String: String] = [:]
    /// The fields in the order their errors were found (the form's order), for the summary.
    private(set) var order: [String] = []
    var isEmpty: Bool { messages.isEmpty }

    /// Where the order travels to the templates' tags (ids never contain a space).
    static let orderKey = "_order"

    mutating func add(_ field: String, _ message: String) {
        if let existing = messages[field] {
            messages[field] = existing + " " + message
        } else {
            messages[field] = message
            order.append(field)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var encoded = messages
        if !order.isEmpty { encoded[Self.orderKey] = order.joined(separator: " ") }
        try encoded.encode(to: encoder)
    }
}

extension FormErrors {
    /// What every text field checks, whatever its form: bytes that were not UTF-8, control
    /// characters on a single line (a bare CR splits calendar, mail and CSV lines), its limit.
    mutating func check(_ field: String, _ text: String, limit: Int, singleLine: Bool = true, _ req: Request) {
        switch TextInput.problem(text, limit: limit, singleLine: singleLine) {
        case .unreadable: add(field, req.t("field.unreadable"))
        case .controlCharacter: add(field, req.t("field.control_character"))
        case .tooLong(let limit): add(field, req.t("field.too_long", "\(limit)"))
        case nil: break
        }
    }
}

/// A whole number typed into a form (the hidden `version` above all). Decoding never fails: a
/// value that is not a number is nil, and the form's other fields are kept, where a failed
/// decode of one field used to empty the whole form.
@propertyWrapper
struct LenientInt: Codable, Sendable, Equatable {
    var wrappedValue: Int?

    init(wrappedValue: Int?) { self.wrappedValue = wrappedValue }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            wrappedValue = number
        } else {
            wrappedValue = (try? container.decode(String.self)).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// An absent or unreadable `LenientInt` is nil, never a decoding error.
    func decode(_ type: LenientInt.Type, forKey key: Key) throws -> LenientInt {
        (try? decodeIfPresent(type, forKey: key)) ?? LenientInt(wrappedValue: nil)
    }
}

enum FormLimits {
    /// The body limit of every route but uploads (see `configure`).
    static let maximumBody = 1024 * 1024
    /// How long a request may wait for the database, for a connection or a statement.
    static let databaseTimeoutSeconds = 10
}
