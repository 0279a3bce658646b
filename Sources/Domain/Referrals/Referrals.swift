import Foundation

/// A referral from a case to a service, and the one state machine it follows (HL7 Gravity's
/// statuses, with Primero's `revoked`: access withdrawn). Only the fields the person agreed to
/// share travel, as a snapshot sealed with the referral's own key.

public enum ReferralState: String, CatalogValue {
    public static let catalogPrefix = "referral.state"
    case pending, accepted, declined, completed, notCompleted = "not_completed", revoked

    /// The sender can no longer change anything, nor the receiver.
    public var isFinal: Bool { [.declined, .completed, .notCompleted, .revoked].contains(self) }
    /// The snapshot can still be read by the receiver.
    public var isReadable: Bool { self == .pending || self == .accepted || self == .completed || self == .notCompleted }
}

public enum ReferralEvent: String, CaseIterable, Sendable {
    case accept, decline, complete, notComplete = "not_complete", revoke

    public var labelKey: String { "referral.event.\(rawValue)" }
}

/// Who acts on a referral: the sending organisation or the receiving one. For a service outside
/// the network there is no receiver on Passerelle: the sender records its outcome.
public enum ReferralParty: String, CaseIterable, Sendable {
    case sender, receiver
}

public enum DeclineReason: String, CatalogValue {
    public static let catalogPrefix = "referral.decline"
    case atCapacity = "at_capacity", notEligible = "not_eligible", languageNotAvailable = "language_not_available",
        notOurService = "not_our_service", cannotReach = "cannot_reach", other

    /// A decline that says a service is missing (no room, or not for this person): the need stays
    /// open and counts for the gap map.
    public var isGap: Bool { self == .atCapacity || self == .notEligible }
}

public enum ReferralMachine {
    /// The state after `event` by `party`, or nil when it may not happen. `outsideNetwork`: the
    /// sender records what the service answered (a printed letter, no receiver on Passerelle).
    public static func next(from state: ReferralState, _ event: ReferralEvent, by party: ReferralParty, outsideNetwork: Bool = false)
        -> ReferralState?
    {
        let answering: ReferralParty = outsideNetwork ? .sender : .receiver
        switch (state, event) {
        case (.pending, .accept) where party == answering: return .accepted
        case (.pending, .decline) where party == answering: return .declined
        case (.accepted, .complete) where party == answering: return .completed
        case (.accepted, .notComplete) where party == answering: return .notCompleted
        case (.pending, .revoke), (.accepted, .revoke):
            return party == .sender ? .revoked : nil
        default: return nil
        }
    }

    /// What `party` may do now, in the order a page offers it.
    public static func events(from state: ReferralState, by party: ReferralParty, outsideNetwork: Bool = false) -> [ReferralEvent] {
        ReferralEvent.allCases.filter { next(from: state, $0, by: party, outsideNetwork: outsideNetwork) != nil }
    }
}

/// What may travel in a referral, each field ticked by the caseworker within the consent.
public enum SharedField: String, CatalogValue {
    public static let catalogPrefix = "referral.field"
    case preferredName = "preferred_name", pronouns, languages, interpreter, provinceRegion = "province_region",
        immigrationStatus = "immigration_status", needs, safeContact = "safe_contact", message
}

/// Pre-ticked sets of fields ("contact only", "needs summary").
public enum SharedBundle: String, CatalogValue {
    public static let catalogPrefix = "referral.bundle"
    case contactOnly = "contact_only", needsSummary = "needs_summary"

    public var fields: [SharedField] {
        switch self {
        case .contactOnly: [.preferredName, .pronouns, .languages, .interpreter, .safeContact]
        case .needsSummary: [.preferredName, .pronouns, .languages, .interpreter, .provinceRegion, .immigrationStatus, .needs, .message]
        }
    }
}

public enum ReferralRules {
    /// The need's status once a referral for it reaches `state` — only for needs the referral
    /// itself set (`referred` or `inProgress`): a caseworker's own change is never overwritten.
    /// A decline that reveals a gap (no room, not eligible) leaves the need unmet, which the gap
    /// map counts; any other decline or a revocation puts it back to identified.
    public static func needStatus(after state: ReferralState, declineReason: DeclineReason?, current: NeedStatus) -> NeedStatus {
        guard current == .referred || current == .inProgress else { return current }
        switch state {
        case .pending: return .referred
        case .accepted: return .inProgress
        case .completed: return .met
        case .notCompleted: return .unmet
        case .declined: return declineReason?.isGap == true ? .unmet : .identified
        case .revoked: return .identified
        }
    }

    /// A referral may be sent only while a consent to share with the receiving organisation
    /// (named as the directory names it) is in force.
    public static func maySend(to organisationName: String, consents: [ConsentRecord], at now: Date) -> Bool {
        ConsentRules.isGranted(.share, partner: organisationName.trimmingCharacters(in: .whitespaces), in: consents, at: now)
    }

    /// The fields to tick: those asked for, or a bundle's, or (nothing chosen) the needs summary.
    public static func fields(ticked: [String], bundle: SharedBundle?) -> [SharedField] {
        if let bundle { return bundle.fields }
        let chosen = ticked.compactMap(SharedField.init(rawValue:))
        return SharedField.allCases.filter(chosen.contains)
    }
}
