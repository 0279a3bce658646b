import Crypto
import Domain
import Fluent
import Foundation
import Vapor

/// The person section of a case, sealed as one value. Every field is optional but the
/// preferred name (kept apart, for lists): trauma-informed intake fills it over weeks.
struct PersonSection: Codable, Sendable, Equatable {
    var legalName: String = ""
    var dateOfBirth: String = ""
    var ageBand: String = ""
    var genderIdentity: String = ""
    /// HTCDS `prs_Gender`, the coded value counted in the network's figures.
    var gender: String = ""
    var pronouns: String = ""
    var indigenousIdentity: String = ""
    var countryOfOrigin: String = ""
    var languages: String = ""
    var interpreterNeeded: Bool = false
    var immigrationStatus: String = ""
    var region: String = ""
    var dependants: String = ""
    var accessibilityNeeds: String = ""
}

extension PersonSection {
    /// Sealed sections written before a field existed lack its key: every field reads as its
    /// default when absent, so adding one (pronouns) never makes an older record unreadable.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        self.init()
        legalName = try text(.legalName)
        dateOfBirth = try text(.dateOfBirth)
        ageBand = try text(.ageBand)
        genderIdentity = try text(.genderIdentity)
        gender = try text(.gender)
        pronouns = try text(.pronouns)
        indigenousIdentity = try text(.indigenousIdentity)
        countryOfOrigin = try text(.countryOfOrigin)
        languages = try text(.languages)
        interpreterNeeded = try c.decodeIfPresent(Bool.self, forKey: .interpreterNeeded) ?? false
        immigrationStatus = try text(.immigrationStatus)
        region = try text(.region)
        dependants = try text(.dependants)
        accessibilityNeeds = try text(.accessibilityNeeds)
    }
}

/// How and when it is safe to reach the person — shown first on the case page.
struct SafeContactSection: Codable, Sendable, Equatable {
    var channels: [String] = []
    var safeTimes: String = ""
    var messagesAllowed: String = "unknown"
    var codeWord: String = ""
    var neverUse: String = ""
}

enum SafeContactChannel: String, CaseIterable {
    case phone, sms, whatsapp, signal, email, inPerson = "in_person", partner
    var labelKey: String { "case.channel.\(rawValue)" }
}

enum IndigenousIdentity: String, CaseIterable {
    case firstNations = "first_nations", metis, inuit, notIndigenous = "not_indigenous", preferNotToSay = "prefer_not_to_say"
    var labelKey: String { "case.indigenous.\(rawValue)" }
}

enum AgeBand: String, CaseIterable {
    case under18 = "under_18", from18to24 = "18_24", from25to34 = "25_34", from35to44 = "35_44", from45to59 = "45_59", over60 = "60_plus"
    var labelKey: String { "case.age_band.\(rawValue)" }
}

/// Seals and opens a case's fields with its data key. The only place that touches case keys.
struct CaseVault: Sendable {
    let master: SymmetricKey

    struct Opened: Sendable {
        let key: SymmetricKey
        let organisationID: String
        let caseID: String
    }

    func create(organisationID: UUID, caseID: UUID) throws -> (Opened, Data) {
        let key = Envelope.newKey()
        let wrapped = try Envelope.wrap(dataKey: key, master: master, organisationID: organisationID.uuidString, caseID: caseID.uuidString)
        return (Opened(key: key, organisationID: organisationID.uuidString, caseID: caseID.uuidString), wrapped)
    }

    func open(_ file: CaseFile, wrapped: Data) throws -> Opened {
        try open(organisationID: file.$organisation.id, caseID: file.id!, wrapped: wrapped)
    }

    func open(organisationID: UUID, caseID: UUID, wrapped: Data) throws -> Opened {
        let organisationID = organisationID.uuidString, caseID = caseID.uuidString
        return Opened(
            key: try Envelope.unwrap(wrapped, master: master, organisationID: organisationID, caseID: caseID),
            organisationID: organisationID, caseID: caseID)
    }

    func open(_ file: CaseFile, on db: any Database) async throws -> Opened {
        if let wrapped = file.wrappedKey { return try open(file, wrapped: wrapped) }
        guard let key = try await CaseKey.fetchFirst("SELECT * FROM case_keys WHERE case_id = \(bind: file.id!)", on: db) else {
            throw PageError.notFound
        }
        return try open(file, wrapped: key.wrapped)
    }

    func seal(_ value: String, field: SealedField, with opened: Opened) throws -> Data {
        try Envelope.seal(field: field.name, value: value, dataKey: opened.key, organisationID: opened.organisationID, caseID: opened.caseID)
    }

    func openText(_ sealed: Data, field: SealedField, with opened: Opened) throws -> String {
        try Envelope.open(field: field.name, sealed: sealed, dataKey: opened.key, organisationID: opened.organisationID, caseID: opened.caseID)
    }

    func seal<T: Encodable>(section value: T, field: SealedField, with opened: Opened) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try seal(String(decoding: try encoder.encode(value), as: UTF8.self), field: field, with: opened)
    }

    /// Bytes (a document's content), bound to their field like texts.
    func seal(data: Data, field: SealedField, with opened: Opened) throws -> Data {
        try Envelope.sealData(data, field: field.name, dataKey: opened.key, organisationID: opened.organisationID, caseID: opened.caseID)
    }

    func openData(_ sealed: Data, field: SealedField, with opened: Opened) throws -> Data {
        try Envelope.openData(sealed, field: field.name, dataKey: opened.key, organisationID: opened.organisationID, caseID: opened.caseID)
    }

    func openSection<T: Decodable>(_ type: T.Type, _ sealed: Data?, field: SealedField, with opened: Opened) throws -> T? {
        guard let sealed else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(try openText(sealed, field: field, with: opened).utf8))
    }

    /// The terms of a search, the most specific first: tokens with digits (case numbers are
    /// nearly unique), then the longest. A search reads the postings of the first one only.
    func searchTerms(_ query: String, organisationID: UUID) -> [String] {
        let index = BlindIndex(master: master, organisationID: organisationID.uuidString)
        let tokens = Set(NameTokens.tokens(query)).sorted { a, b in
            let (digitsA, digitsB) = (a.contains(where: \.isNumber), b.contains(where: \.isNumber))
            return digitsA != digitsB ? digitsA : a.count != b.count ? a.count > b.count : a < b
        }
        return tokens.map(index.term)
    }

    func nameTerms(_ names: [String], organisationID: UUID) -> [String] {
        let index = BlindIndex(master: master, organisationID: organisationID.uuidString)
        return Array(Set(names.flatMap { index.terms(for: $0) })).sorted()
    }
}

extension CaseVault {
    /// A referral's own data key, bound to the sending organisation and the referral (never the
    /// case's key: deleting it leaves the case readable and the snapshot not).
    func createReferralKey(organisationID: UUID, referralID: UUID) throws -> (Opened, Data) {
        let key = Envelope.newKey()
        let caseID = "referral:" + referralID.uuidString
        let wrapped = try Envelope.wrap(dataKey: key, master: master, organisationID: organisationID.uuidString, caseID: caseID)
        return (Opened(key: key, organisationID: organisationID.uuidString, caseID: caseID), wrapped)
    }

    func openReferralKey(organisationID: UUID, referralID: UUID, wrapped: Data) throws -> Opened {
        let caseID = "referral:" + referralID.uuidString
        return Opened(
            key: try Envelope.unwrap(wrapped, master: master, organisationID: organisationID.uuidString, caseID: caseID),
            organisationID: organisationID.uuidString, caseID: caseID)
    }
}

extension Request {
    var caseVault: CaseVault { CaseVault(master: application.masterKey) }
}

/// The name of every sealed field. The name is the encryption's associated data: a field sealed
/// under one name opens only under the same one, so a typo made a record unreadable while the
/// names were string literals. The strings below are stored in every sealed value and never change.
enum SealedField: Sendable, Equatable {
    case preferredName, person, safeContact, experience, referralSnapshot
    case note(UUID), task(UUID), legalOutcome(UUID), documentName(UUID), documentContent(UUID)

    var name: String {
        switch self {
        case .preferredName: "preferred_name"
        case .person: "person"
        case .safeContact: "safe_contact"
        case .experience: "experience"
        case .referralSnapshot: "referral_snapshot"
        case .note(let id): "note:\(id.uuidString)"
        case .task(let id): "task:\(id.uuidString)"
        case .legalOutcome(let id): "legal:\(id.uuidString)"
        case .documentName(let id): "document:\(id.uuidString):name"
        case .documentContent(let id): "document:\(id.uuidString)"
        }
    }
}
