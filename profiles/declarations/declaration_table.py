"""Apple declarative-management declarations table. GENERATED FILE: do not edit by hand.

Source: https://github.com/apple/device-management at commit b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f
(declarative/declarations). Regenerate with `manage.py generate_declaration_table`.
"""

from typing import Any

SCHEMA_COMMIT = "b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f"

# declaration Type -> class, title, source file, apply, per-OS support with the allowed
# enrollment kinds and scopes (absent: no limit stated), and the payload keys' shape
DECLARATIONS: dict[str, Any] = {
    "com.apple.activation.simple": {
        "apply": "",
        "class": "activation",
        "description": "An activation used to install a set of configurations.",
        "file": "declarative/declarations/activations/simple.yaml",
        "keys": {
            "Predicate": {
                "help": "A predicate format string as Apple's Predicate Programming <https://developer.apple.com/library/archive/documentation/Cocoa/Conceptual/Predicates/AdditionalChapters/Introduction.html> describes. The activation only installs when the predicate evaluates to 'true' or isn't present.",
                "type": "string",
            },
            "StandardConfigurations": {
                "help": "An array of strings that specify the identifiers of configurations to install. A failure to install one of the configurations doesn't prevent other configurations from installing.",
                "item": {"type": "string"},
                "required": True,
                "type": "array",
            },
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Activation:Simple",
    },
    "com.apple.asset.credential.acme": {
        "apply": "",
        "class": "asset",
        "description": "A reference to an ACME identity.",
        "file": "declarative/declarations/assets/credential.acme.yaml",
        "keys": {
            "Accessible": {
                "default": "Default",
                "help": "The keychain accessibility that determines when the keychain item is available for use, which has these allowed values: * 'Default': The most restrictive accessibility that still satisfies all uses of the asset by configurations that reference it. * 'AfterFirstUnlock': The keychain item is only available after the first unlock of the device.",
                "range": ["Default", "AfterFirstUnlock"],
                "type": "string",
            },
            "Authentication": {
                "help": "The server authentication details.",
                "keys": {
                    "Type": {
                        "help": "Type of authentication: * MDM - a request using MDM semantics (includes the device identity certificate, and any user authentication). Equivalent to an MDM request made to the CheckInURL or ServerURL. This option can only be used when using declarative device management. * None - a standard GET request is carried out.",
                        "range": ["MDM", "None"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Reference": {
                "help": "The external reference. Ensure that the asset data: * Is a JSON document that represents the 'com.apple.credential.acme' credential type * Uses a media type of 'application/json', and if it includes a 'ContentType' sub-key, that sub-key media type is also 'application/json'",
                "keys": {
                    "ContentType": {
                        "help": "The media type that describes the data.",
                        "type": "string",
                    },
                    "DataURL": {
                        "help": "The URL that hosts the credential data. The URL must start with 'https://'.",
                        "required": True,
                        "type": "string",
                    },
                    "Hash-SHA-256": {
                        "help": "A SHA-256 hash of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes. If 'Size' is '0', clients need to ignore this value or set it to an empty string.",
                        "type": "string",
                    },
                    "Size": {
                        "help": "The size of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes.",
                        "type": "integer",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential ACME",
    },
    "com.apple.asset.credential.certificate": {
        "apply": "",
        "class": "asset",
        "description": "A reference to a PKCS #1 or PEM encoded certificate.",
        "file": "declarative/declarations/assets/credential.certificate.yaml",
        "keys": {
            "Authentication": {
                "help": "The server authentication details.",
                "keys": {
                    "Type": {
                        "help": "Type of authentication: * MDM - a request using MDM semantics (includes the device identity certificate, and any user authentication). Equivalent to an MDM request made to the CheckInURL or ServerURL. This option can only be used when using declarative device management. * None - a standard GET request is carried out.",
                        "range": ["MDM", "None"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Reference": {
                "help": "The external reference. Ensure that the asset data uses a media type of 'application/pkcs1' or 'application/pem' to correctly identify the type of encoded certificate. If the asset data includes a 'ContentType' sub-key, set it to the corresponding media type.",
                "keys": {
                    "ContentType": {
                        "help": "The media type that describes the data.",
                        "type": "string",
                    },
                    "DataURL": {
                        "help": "The URL that hosts the credential data. The URL must start with 'https://'.",
                        "required": True,
                        "type": "string",
                    },
                    "Hash-SHA-256": {
                        "help": "A SHA-256 hash of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes. If 'Size' is '0', clients need to ignore this value or set it to an empty string.",
                        "type": "string",
                    },
                    "Size": {
                        "help": "The size of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes.",
                        "type": "integer",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential Certificate",
    },
    "com.apple.asset.credential.identity": {
        "apply": "",
        "class": "asset",
        "description": "A reference to a PKCS #12 password-protected identity.",
        "file": "declarative/declarations/assets/credential.identity.yaml",
        "keys": {
            "Accessible": {
                "default": "Default",
                "help": "The keychain accessibility that determines when the keychain item is available for use, which has these allowed values: * 'Default': The most restrictive accessibility that still satisfies all uses of the asset by configurations that reference it. * 'AfterFirstUnlock': The keychain item is only available after the first unlock of the device.",
                "range": ["Default", "AfterFirstUnlock"],
                "type": "string",
            },
            "Authentication": {
                "help": "The server authentication details.",
                "keys": {
                    "Type": {
                        "help": "Type of authentication: * MDM - a request using MDM semantics (includes the device identity certificate, and any user authentication). Equivalent to an MDM request made to the CheckInURL or ServerURL. This option can only be used when using declarative device management. * None - a standard GET request is carried out.",
                        "range": ["MDM", "None"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Reference": {
                "help": "The external reference. Ensure that the asset data: * Is a JSON document that represents the 'com.apple.credential.identity' credential type * Uses a media type of 'application/json', and if it includes a 'ContentType' sub-key, that sub-key media type is also 'application/json'",
                "keys": {
                    "ContentType": {
                        "help": "The media type that describes the data.",
                        "type": "string",
                    },
                    "DataURL": {
                        "help": "The URL that hosts the credential data. The URL must start with 'https://'.",
                        "required": True,
                        "type": "string",
                    },
                    "Hash-SHA-256": {
                        "help": "A SHA-256 hash of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes. If 'Size' is '0', clients need to ignore this value or set it to an empty string.",
                        "type": "string",
                    },
                    "Size": {
                        "help": "The size of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes.",
                        "type": "integer",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential Identity",
    },
    "com.apple.asset.credential.scep": {
        "apply": "",
        "class": "asset",
        "description": "A reference to a SCEP identity.",
        "file": "declarative/declarations/assets/credential.scep.yaml",
        "keys": {
            "Accessible": {
                "default": "Default",
                "help": "The keychain accessibility that determines when the keychain item is available for use, which has these allowed values: * 'Default': The most restrictive accessibility that still satisfies all uses of the asset by configurations that reference it. * 'AfterFirstUnlock': The keychain item is only available after the first unlock of the device.",
                "range": ["Default", "AfterFirstUnlock"],
                "type": "string",
            },
            "Authentication": {
                "help": "The server authentication details.",
                "keys": {
                    "Type": {
                        "help": "Type of authentication: * MDM - a request using MDM semantics (includes the device identity certificate, and any user authentication). Equivalent to an MDM request made to the CheckInURL or ServerURL. This option can only be used when using declarative device management. * None - a standard GET request is carried out.",
                        "range": ["MDM", "None"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Reference": {
                "help": "The external reference. Ensure that the asset data: * Is a JSON document that represents the 'com.apple.credential.scep' credential type * Uses a media type of 'application/json', and if it includes a 'ContentType' sub-key, that sub-key media type is also 'application/json'",
                "keys": {
                    "ContentType": {
                        "help": "The media type that describes the data.",
                        "type": "string",
                    },
                    "DataURL": {
                        "help": "The URL that hosts the credential data. The URL must start with 'https://'.",
                        "required": True,
                        "type": "string",
                    },
                    "Hash-SHA-256": {
                        "help": "A SHA-256 hash of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes. If 'Size' is '0', clients need to ignore this value or set it to an empty string.",
                        "type": "string",
                    },
                    "Size": {
                        "help": "The size of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes.",
                        "type": "integer",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential SCEP",
    },
    "com.apple.asset.credential.userpassword": {
        "apply": "",
        "class": "asset",
        "description": "A reference to data describing a credential representing a user name and password.",
        "file": "declarative/declarations/assets/credential.userpassword.yaml",
        "keys": {
            "Authentication": {
                "help": "The server authentication details.",
                "keys": {
                    "Type": {
                        "help": "Type of authentication: * MDM - a request using MDM semantics (includes the device identity certificate, and any user authentication). Equivalent to an MDM request made to the CheckInURL or ServerURL. This option can only be used when using declarative device management. * None - a standard GET request is carried out.",
                        "range": ["MDM", "None"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Reference": {
                "help": "The external reference. Ensure that the asset data: * Is a JSON document that represents the 'com.apple.credential.usernameandpassword' credential type * Uses a media type of 'application/json', and if it includes a 'ContentType' sub-key, that sub-key media type is also 'application/json'",
                "keys": {
                    "ContentType": {
                        "help": "The media type that describes the data.",
                        "type": "string",
                    },
                    "DataURL": {
                        "help": "The URL that hosts the credential data. The URL must start with 'https://'.",
                        "required": True,
                        "type": "string",
                    },
                    "Hash-SHA-256": {
                        "help": "A SHA-256 hash of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes. If 'Size' is '0', clients need to ignore this value or set it to an empty string.",
                        "type": "string",
                    },
                    "Size": {
                        "help": "The size of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes.",
                        "type": "integer",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential User Name and Password",
    },
    "com.apple.asset.data": {
        "apply": "",
        "class": "asset",
        "description": "A reference to arbitrary data with a specific media type.",
        "file": "declarative/declarations/assets/data.yaml",
        "keys": {
            "Authentication": {
                "help": "The server authentication details.",
                "keys": {
                    "Type": {
                        "help": "Type of authentication: * MDM - a request using MDM semantics (includes the device identity certificate, and any user authentication). Equivalent to an MDM request made to the CheckInURL or ServerURL. This option can only be used when using declarative device management. * None - a standard GET request is carried out.",
                        "range": ["MDM", "None"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Reference": {
                "help": "The external reference.",
                "keys": {
                    "ContentType": {
                        "help": "The media type that describes the data.",
                        "type": "string",
                    },
                    "DataURL": {
                        "help": "The URL that hosts the credential data. The URL must start with 'https://'.",
                        "required": True,
                        "type": "string",
                    },
                    "Hash-SHA-256": {
                        "help": "A SHA-256 hash of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes. If 'Size' is '0', clients need to ignore this value or set it to an empty string.",
                        "type": "string",
                    },
                    "Size": {
                        "help": "The size of the data at the 'DataURL'. Use this value to verify that the returned data is the expected data. Use this value to detect when the data changes.",
                        "type": "integer",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Data",
    },
    "com.apple.asset.useridentity": {
        "apply": "",
        "class": "asset",
        "description": "User identity data.",
        "file": "declarative/declarations/assets/useridentity.yaml",
        "keys": {
            "EmailAddress": {
                "help": "The email address of the user.",
                "title": "Email Address",
                "type": "string",
            },
            "FullName": {"help": "The user's full name.", "title": "Full Name", "type": "string"},
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:User Identity",
    },
    "com.apple.configuration.account.caldav": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for access to CalDAV servers.",
        "file": "declarative/declarations/configurations/account.caldav.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {
                "help": "The identifier of an asset declaration that contains the credentials for this account. Set the corresponding asset type to 'CredentialUserNameAndPassword'.",
                "title": "Authentication Credentials Asset Reference",
                "type": "string",
            },
            "HostName": {
                "help": "The hostname or IP address of the CalDAV server.",
                "required": True,
                "title": "Server Host Name",
                "type": "string",
            },
            "Path": {
                "help": "The path for the CalDAV server.",
                "title": "Server Path",
                "type": "string",
            },
            "Port": {
                "help": "The port number for the CalDAV server.",
                "title": "Server Port",
                "type": "integer",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this calendar account. If not present, the system generates a suitable default.",
                "title": "Account Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:CalDAV",
    },
    "com.apple.configuration.account.carddav": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for access to CardDAV servers.",
        "file": "declarative/declarations/configurations/account.carddav.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {
                "help": "The identifier of an asset declaration that contains the credentials for this account. Set the corresponding asset type to 'CredentialUserNameAndPassword'.",
                "title": "Authentication Credentials Asset Reference",
                "type": "string",
            },
            "HostName": {
                "help": "The hostname or IP address of the CardDAV server.",
                "required": True,
                "title": "Server Host Name",
                "type": "string",
            },
            "Path": {
                "help": "The path for the CardDAV server.",
                "title": "Server Path",
                "type": "string",
            },
            "Port": {
                "help": "The port number for the CardDAV server.",
                "title": "Server Port",
                "type": "integer",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this address book account. If not present, the system generates a suitable default.",
                "title": "Account Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:CardDAV",
    },
    "com.apple.configuration.account.exchange": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for access to Exchange ActiveSync and Web Services servers.",
        "file": "declarative/declarations/configurations/account.exchange.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {
                "help": "The identifier of an asset declaration that contains the credentials for this account to authenticate with an Exchange server. Set the corresponding asset type to 'CredentialUserNameAndPassword'.",
                "title": "Authentication Credentials Asset Reference",
                "type": "string",
            },
            "AuthenticationIdentityAssetReference": {
                "help": "The identifier of a credential asset declaration that contains the identity that this account requires to authenticate with the Exchange server.",
                "title": "Authentication Identity Asset Reference",
                "type": "string",
            },
            "CalendarServiceActive": {
                "default": True,
                "help": "If 'true', activates the calendar service for this account.",
                "type": "boolean",
            },
            "ContactsServiceActive": {
                "default": True,
                "help": "If 'true', activates the address book service for this account.",
                "type": "boolean",
            },
            "EnabledProtocolTypes": {
                "help": "The set of protocol types to enable on the Exchange server, in order of preference. This is an array of unique strings with possible values: * 'EAS:' Exchange ActiveSync * 'EWS:' Exchange Web Services (EWS) If the device supports one or more of the listed protocol types, it sets up an account for the first supported type. If the device doesn't support any of the listed protocol types, it doesn't set up an account and the system reports an error.",
                "item": {"range": ["EAS", "EWS"], "required": True, "type": "string"},
                "required": True,
                "title": "Enabled Protocol Types",
                "type": "array",
            },
            "External Path": {
                "help": "The external path of the EWS server. The system uses this only when this declaration has a 'ExternalHostName' value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server External Path",
                "type": "string",
            },
            "ExternalHostName": {
                "help": "The external hostname of the EWS server (or IP address).",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server External Host Name",
                "type": "string",
            },
            "ExternalPort": {
                "help": "The external port number of the EWS server. The system uses this only when this declaration has a 'ExternalHostName' value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server External Port",
                "type": "integer",
            },
            "HostName": {
                "help": "The hostname of the EWS server (or IP address). This is a required field on iOS and visionOS, unless the declaration contains an 'OAuth' property, with 'Enabled' set to 'true' and without a 'SignInURL'.",
                "title": "Server Host Name",
                "type": "string",
            },
            "LockCalendarService": {
                "default": False,
                "help": "If 'true', the system prevents the user from changing the status of the calendar service for this account.",
                "not_user": {"macOS": "platform"},
                "type": "boolean",
            },
            "LockContactsService": {
                "default": False,
                "help": "If 'true', the system prevents the user from changing the status of the address book service for this account.",
                "not_user": {"macOS": "platform"},
                "type": "boolean",
            },
            "LockMailService": {
                "default": False,
                "help": "If 'true', the system prevents the user from changing the status of the mail service for this account.",
                "not_user": {"macOS": "platform"},
                "type": "boolean",
            },
            "LockNotesService": {
                "default": False,
                "help": "If 'true', the system prevents the user from changing the status of the notes service for this account.",
                "not_user": {"macOS": "platform"},
                "type": "boolean",
            },
            "LockRemindersService": {
                "default": False,
                "help": "If 'true', the system prevents the user from changing the status of the reminders service for this account.",
                "not_user": {"macOS": "platform"},
                "type": "boolean",
            },
            "MailServiceActive": {
                "default": True,
                "help": "If 'true', the system activates the mail service for this account.",
                "type": "boolean",
            },
            "NotesServiceActive": {
                "default": True,
                "help": "If 'true', the system activates the notes service for this account.",
                "type": "boolean",
            },
            "OAuth": {
                "help": "The configuration settings for OAuth for this account.",
                "keys": {
                    "Enabled": {
                        "help": "If 'true', enables OAuth for this account.",
                        "required": True,
                        "title": "Use OAuth",
                        "type": "boolean",
                    },
                    "SignInURL": {
                        "help": "The URL that this account uses for signing in with OAuth. The system ignores this value unless 'Enabled' is 'true'. The system doesn't use autodiscovery when a declaration contains this URL, so the declaration must also contain a 'HostName'.",
                        "type": "string",
                    },
                    "TokenRequestURL": {
                        "help": "The URL that this account uses for token requests with OAuth. The system ignores this value unless 'Enabled' is 'true'.",
                        "not_user": {"macOS": "platform"},
                        "type": "string",
                    },
                },
                "title": "Controls use of OAuth",
                "type": "dictionary",
            },
            "Path": {
                "help": "The path of the EWS server. The system uses this only when this declaration has a 'HostName' value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server Path",
                "type": "string",
            },
            "Port": {
                "help": "The port number of the EWS server. The system uses this only when this declaration has a 'HostName' value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server Port",
                "type": "integer",
            },
            "RemindersServiceActive": {
                "default": True,
                "help": "If 'true', the system activates the reminders service for this account.",
                "type": "boolean",
            },
            "SMIME": {
                "help": "Settings for S/MIME.",
                "keys": {
                    "Encryption": {
                        "help": "Settings for S/MIME encryption.",
                        "keys": {
                            "Enabled": {
                                "help": "If 'true', the system enables S/MIME encryption by default, which the user can't override if 'PerMessageSwitchEnabled' is 'false'.",
                                "required": True,
                                "title": "Encryption By Default Enabled",
                                "type": "boolean",
                            },
                            "IdentityAssetReference": {
                                "help": "Specifies the identifier of an asset declaration containing the identity required for S/MIME encryption. The system attaches the public certificate to outgoing mail to allow the user to receive encrypted mail. When the user sends encrypted mail, the system uses the public certificate to encrypt the copy of the mail in their Sent mailbox.",
                                "title": "S/MIME Encryption Identity Asset Reference",
                                "type": "string",
                            },
                            "IdentityUserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can select an S/MIME signing identity in Settings.",
                                "title": "Encryption Identity User Overrideable",
                                "type": "boolean",
                            },
                            "PerMessageSwitchEnabled": {
                                "default": False,
                                "help": "If 'true', the system enables the per-message encryption switch in the compose view.",
                                "title": "Per Message Switch Enabled",
                                "type": "boolean",
                            },
                            "UserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can turn S/MIME encryption by default on or off in Settings.",
                                "title": "Encryption By Default User Overrideable",
                                "type": "boolean",
                            },
                        },
                        "title": "S/MIME Encryption Settings",
                        "type": "dictionary",
                    },
                    "Signing": {
                        "help": "Settings for S/MIME signing.",
                        "keys": {
                            "Enabled": {
                                "help": "If 'true', the system enables S/MIME signing.",
                                "required": True,
                                "title": "Signing Enabled",
                                "type": "boolean",
                            },
                            "IdentityAssetReference": {
                                "help": "Specifies the identifier of an asset declaration containing the identity required for S/MIME signing of messages sent from this account.",
                                "title": "S/MIME Signing Identity Asset Reference",
                                "type": "string",
                            },
                            "IdentityUserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can select an S/MIME signing identity in Settings.",
                                "title": "Signing Identity User Overrideable",
                                "type": "boolean",
                            },
                            "UserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can turn S/MIME signing on or off in Settings.",
                                "title": "Signing User Overrideable",
                                "type": "boolean",
                            },
                        },
                        "title": "S/MIME Signing Settings",
                        "type": "dictionary",
                    },
                },
                "not_user": {"macOS": "platform"},
                "title": "S/MIME Settings",
                "type": "dictionary",
            },
            "UserIdentityAssetReference": {
                "help": "The identifier of an asset declaration that contains the user identity for this account. The corresponding asset must be of type 'UserIdentity'.",
                "title": "User Identity Asset Reference",
                "type": "string",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this Exchange account. If not present, the system generates a suitable default.",
                "title": "Account Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Exchange",
    },
    "com.apple.configuration.account.google": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for access to Google services.",
        "file": "declarative/declarations/configurations/account.google.yaml",
        "keys": {
            "UserIdentityAssetReference": {
                "help": "The identifier of an asset declaration that contains the user identity for this Google account. Set the corresponding asset type to 'UserIdentity' and ensure that it contains an 'EmailAddress' key that specifies the full Google email address for the account.",
                "required": True,
                "title": "User Identity Asset Reference",
                "type": "string",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this Google account. If not present, the system generates a suitable default.",
                "title": "Account Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Google",
    },
    "com.apple.configuration.account.ldap": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for access to LDAP servers.",
        "file": "declarative/declarations/configurations/account.ldap.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {
                "help": "The identifier of an asset declaration that contains the credentials for this account. Set the corresponding asset type to 'CredentialUserNameAndPassword'.",
                "title": "Authentication Credentials Asset Reference",
                "type": "string",
            },
            "HostName": {
                "help": "The hostname or IP address of the LDAP server.",
                "required": True,
                "title": "Server Host Name",
                "type": "string",
            },
            "Port": {
                "help": "The port number or IP address of the LDAP server.",
                "title": "Server Port",
                "type": "integer",
            },
            "SearchSettings": {
                "help": "The array of nodes to start LDAP searches from. There must be at least one node for this account to be useful. macOS only searches one node and ignores other items in the array.",
                "item": {
                    "keys": {
                        "Scope": {
                            "default": "Subtree",
                            "help": "The type of recursion to use in the search. * 'Base': Only the 'SearchBase' node. * 'OneLevel': The 'SearchBase' node and its immediate children. * 'Subtree': The 'SearchBase' node and all its children, regardless of depth.",
                            "range": ["Base", "OneLevel", "Subtree"],
                            "title": "Scope",
                            "type": "string",
                        },
                        "SearchBase": {
                            "help": "The path to the node where a search starts. For example, 'ou=people,o=example corp'.",
                            "required": True,
                            "title": "Search Base",
                            "type": "string",
                        },
                        "VisibleDescription": {
                            "help": "The description of this search setting in the Contacts and Settings apps. If not present, the apps display no name.",
                            "title": "Visible Description",
                            "type": "string",
                        },
                    },
                    "title": "An LDAP Search Setting",
                    "type": "dictionary",
                },
                "title": "Search Settings",
                "type": "array",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this LDAP account. If not present, the system generates a suitable default.",
                "title": "Account Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:LDAP",
    },
    "com.apple.configuration.account.mail": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for access to email servers.",
        "file": "declarative/declarations/configurations/account.mail.yaml",
        "keys": {
            "IncomingServer": {
                "help": "The settings for the incoming mail server for this account.",
                "keys": {
                    "AuthenticationCredentialsAssetReference": {
                        "help": "The identifier of an asset declaration that contains the credentials for this account to authenticate with an incoming mail server. The corresponding asset must be of type 'CredentialUserNameAndPassword'. If the 'AuthenticationMethod' is 'None', this field must be blank. Otherwise, the declaration must contain this field.",
                        "title": "Authentication Credentials Asset Reference",
                        "type": "string",
                    },
                    "AuthenticationMethod": {
                        "help": "The authentication method for the incoming mail server.",
                        "range": ["None", "Password", "CRAMMD5", "NTLM", "HTTPMD5"],
                        "required": True,
                        "title": "Server Authentication Method",
                        "type": "string",
                    },
                    "HostName": {
                        "help": "The host name for the incoming mail server.",
                        "required": True,
                        "title": "Server Host Name",
                        "type": "string",
                    },
                    "IMAPPathPrefix": {
                        "help": "The path prefix for the IMAP server. The system uses this only when 'ServerType' is 'IMAP'.",
                        "title": "IMAP Path Prefix",
                        "type": "string",
                    },
                    "Port": {
                        "help": "The port number for the incoming mail server.",
                        "title": "Server Port",
                        "type": "integer",
                    },
                    "ServerType": {
                        "help": "The mail protocol this account uses.",
                        "range": ["IMAP", "POP"],
                        "required": True,
                        "title": "Server Type",
                        "type": "string",
                    },
                },
                "required": True,
                "title": "Incoming Server Settings",
                "type": "dictionary",
            },
            "OutgoingServer": {
                "help": "The settings for the outgoing mail server for this account.",
                "keys": {
                    "AuthenticationCredentialsAssetReference": {
                        "help": "The identifier of an asset declaration that contains the credentials for this account to authenticate with an outgoing mail server. The corresponding asset must be of type 'CredentialUserNameAndPassword'. If the 'AuthenticationMethod' is 'None', this field must be blank. Otherwise, the declaration must contain this field.",
                        "title": "Authentication Credentials Asset Reference",
                        "type": "string",
                    },
                    "AuthenticationMethod": {
                        "help": "The authentication method for the outgoing mail server.",
                        "range": ["None", "Password", "CRAMMD5", "NTLM", "HTTPMD5"],
                        "required": True,
                        "title": "Server Authentication Method",
                        "type": "string",
                    },
                    "HostName": {
                        "help": "The host name for the outgoing mail server.",
                        "required": True,
                        "title": "Server Host Name",
                        "type": "string",
                    },
                    "Port": {
                        "help": "The port number for the outgoing mail server.",
                        "title": "Server Port",
                        "type": "integer",
                    },
                },
                "required": True,
                "title": "Outgoing Server Settings",
                "type": "dictionary",
            },
            "SMIME": {
                "help": "Settings for S/MIME.",
                "keys": {
                    "Encryption": {
                        "help": "Settings for S/MIME encryption.",
                        "keys": {
                            "Enabled": {
                                "help": "If 'true', the system enables S/MIME encryption by default, which the user can't override if 'PerMessageSwitchEnabled' is 'false'.",
                                "required": True,
                                "title": "Encryption By Default Enabled",
                                "type": "boolean",
                            },
                            "IdentityAssetReference": {
                                "help": "Specifies the identifier of an asset declaration containing the identity required for S/MIME encryption. The system attaches the public certificate to outgoing mail to allow the user to receive encrypted mail. When the user sends encrypted mail, the system uses the public certificate to encrypt the copy of the mail in their Sent mailbox.",
                                "title": "S/MIME Encryption Identity Asset Reference",
                                "type": "string",
                            },
                            "IdentityUserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can select an S/MIME signing identity in Settings.",
                                "title": "Encryption Identity User Overrideable",
                                "type": "boolean",
                            },
                            "PerMessageSwitchEnabled": {
                                "default": False,
                                "help": "If 'true', the system enables the per-message encryption switch in the compose view.",
                                "title": "Per Message Switch Enabled",
                                "type": "boolean",
                            },
                            "UserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can set the default value for S/MIME encryption to on or off in Settings.",
                                "title": "Encryption By Default User Overrideable",
                                "type": "boolean",
                            },
                        },
                        "title": "S/MIME Encryption Settings",
                        "type": "dictionary",
                    },
                    "Signing": {
                        "help": "Settings for S/MIME signing.",
                        "keys": {
                            "Enabled": {
                                "help": "If 'true', the system enables S/MIME signing.",
                                "required": True,
                                "title": "Signing Enabled",
                                "type": "boolean",
                            },
                            "IdentityAssetReference": {
                                "help": "Specifies the identifier of an asset declaration containing the identity required for S/MIME signing of messages sent from this account.",
                                "title": "S/MIME Signing Identity Asset Reference",
                                "type": "string",
                            },
                            "IdentityUserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can select an S/MIME signing identity in Settings.",
                                "title": "Signing Identity User Overrideable",
                                "type": "boolean",
                            },
                            "UserOverrideable": {
                                "default": False,
                                "help": "If 'true', the user can turn S/MIME signing on or off in Settings.",
                                "title": "Signing User Overrideable",
                                "type": "boolean",
                            },
                        },
                        "title": "S/MIME Signing Settings",
                        "type": "dictionary",
                    },
                },
                "not_user": {"macOS": "platform"},
                "title": "S/MIME Settings",
                "type": "dictionary",
            },
            "UserIdentityAssetReference": {
                "help": "The identifier of an asset declaration that contains the user identity for this account. Set the corresponding asset type to 'UserIdentity'.",
                "title": "User Identity Asset Reference",
                "type": "string",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this mail account. If not present, the system generates a suitable default.",
                "title": "Account Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Mail",
    },
    "com.apple.configuration.account.subscribed-calendar": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for a subscribed calendar.",
        "file": "declarative/declarations/configurations/account.subscribed-calendar.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {
                "help": "The identifier of an asset declaration that contains the credentials for this account to authenticate with a calendar server. Set the corresponding asset type to 'CredentialUserNameAndPassword'.",
                "title": "Authentication Credentials Asset Reference",
                "type": "string",
            },
            "CalendarURL": {
                "help": "The URL of the subscribed calendar, which needs to start with 'https://'.",
                "required": True,
                "title": "Calendar URL",
                "type": "string",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this calendar account. If not present, the system generates a suitable default.",
                "title": "Account Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Subscribed Calendar",
    },
    "com.apple.configuration.app.managed": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define settings for a managed app.",
        "file": "declarative/declarations/configurations/app.managed.yaml",
        "keys": {
            "AppStoreID": {
                "help": "The App Store ID of the managed app that is downloaded from the App Store. One and only one of 'AppStoreID', 'BundleID', or 'ManifestURL' must be present.",
                "title": "App Store ID",
                "type": "string",
            },
            "Attributes": {
                "help": "A dictionary of values to associate with the app.",
                "keys": {
                    "AssociatedDomains": {
                        "help": "An array of domain names to associate with the app.",
                        "item": {
                            "help": "A domain to be associated with the app.",
                            "required": True,
                            "title": "Domain",
                            "type": "string",
                        },
                        "title": "Associated Domains",
                        "type": "array",
                    },
                    "AssociatedDomainsEnableDirectDownloads": {
                        "default": False,
                        "help": "If 'true', the system enables direct downloads for the 'AssociatedDomains'.",
                        "title": "Associated Domains Enable Direct Downloads",
                        "type": "boolean",
                    },
                    "CellularSliceUUID": {
                        "help": "The cellular slice identifier, which can be the data network name (DNN) or app category. For DNN, encode the value as “DNN:name”, where “name” is the carrier-provided DNN name. For app category, encode the value as “AppCategory:category”, where “category” is a carrier-provided string such as “Enterprise1”.",
                        "title": "Cellular Slice UUID",
                        "type": "string",
                    },
                    "ContentFilterUUID": {
                        "help": "The UUID of the content filter to associate with the app.",
                        "title": "Content Filter UUID",
                        "type": "string",
                    },
                    "DNSProxyUUID": {
                        "help": "The UUID of the DNS proxy to associate with the app.",
                        "title": "DNS Proxy UUID",
                        "type": "string",
                    },
                    "RelayUUID": {
                        "help": "The UUID of the relay to associate with the app.",
                        "title": "Relay UUID",
                        "type": "string",
                    },
                    "TapToPayScreenLock": {
                        "default": False,
                        "help": "If 'true', the device automatically locks after every transaction that requires a customer's card PIN. If 'false', the user can choose the behavior.",
                        "title": "Tap to Pay Screen Lock",
                        "type": "boolean",
                    },
                    "VPNUUID": {
                        "help": "The UUID of the VPN to associate with the app.",
                        "title": "VPN UUID",
                        "type": "string",
                    },
                },
                "title": "App Attributes",
                "type": "dictionary",
            },
            "BundleID": {
                "help": "The bundle ID of the managed app that is downloaded from the App Store. One and only one of 'AppStoreID', 'BundleID', or 'ManifestURL' must be present.",
                "title": "Bundle ID",
                "type": "string",
            },
            "IncludeInBackup": {
                "default": True,
                "help": "If 'true', backups contain the app and its data.",
                "title": "Include in Backup",
                "type": "boolean",
            },
            "InstallBehavior": {
                "help": "A dictionary that describes how and when to install the app.",
                "keys": {
                    "Install": {
                        "default": "Optional",
                        "help": "A string that specifies if the app needs to remain on the device at all times or if the user can freely install and remove it, which is one of the following values: * Optional: The user can install and remove the app after the system activates the configuration. * Required: The system installs the app after it activates the configuration. The user can't remove the app. The system automatically installs apps on supervised devices. Otherwise, the device prompts the user to approve installation of the app.",
                        "range": ["Optional", "Required"],
                        "title": "Install",
                        "type": "string",
                    },
                    "License": {
                        "help": "A dictionary that describes the app's license.",
                        "keys": {
                            "Assignment": {
                                "help": "Indicates what type of license to use when an App Store app is installed: * Device - the license is assigned to the device. * User - the license is assigned to the user. This key must be present for App Store apps, when either 'AppStoreID' or 'BundleID' are present in the configuration.",
                                "range": ["Device", "User"],
                                "title": "Assignment",
                                "type": "string",
                            },
                            "VPPType": {
                                "help": "The type of VPP license that the app uses for installation through the App Store, which is one of the following values: * Device: The app has a VPP device license. * User: The app has a VPP user license. This key needs to be present to install an app through the App Store.",
                                "range": ["Device", "User"],
                                "title": "VPP Type",
                                "type": "string",
                            },
                        },
                        "title": "License",
                        "type": "dictionary",
                    },
                },
                "title": "Install Behavior",
                "type": "dictionary",
            },
            "ManifestURL": {
                "help": "The URL of the manifest for the managed app that is downloaded from a web site. The manifest is returned as a property list. One and only one of 'AppStoreID', 'BundleID', or 'ManifestURL' must be present.",
                "title": "Manifest URL",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "17.2",
                "scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "App:Managed",
    },
    "com.apple.configuration.diskmanagement.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "Use this configuration to install disk management settings on the device.",
        "file": "declarative/declarations/configurations/diskmanagement.settings.yaml",
        "keys": {
            "Restrictions": {
                "help": "Defines the restrictions for disks",
                "keys": {
                    "ExternalStorage": {
                        "help": "Specifies the mount policy for external storage: * Allowed - external storage that is read-write or read-only will be mounted. * ReadOnly - only external storage that is read-only will be automatically mounted. Note that external storage that is read-write will not be mounted read-only. * Disallowed - no external storage will be mounted.",
                        "range": ["Allowed", "ReadOnly", "Disallowed"],
                        "title": "External Storage",
                        "type": "string",
                    },
                    "NetworkStorage": {
                        "help": "Specifies the mount policy for network storage: * Allowed - network storage that is read-write or read-only will be mounted. * ReadOnly - only network storage that is read-only will be mounted. Note that network storage that is read-write will not be mounted read-only. * Disallowed - no network storage will be mounted.",
                        "range": ["Allowed", "ReadOnly", "Disallowed"],
                        "title": "Network Storage",
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Disk Management:Settings",
    },
    "com.apple.configuration.legacy": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Specifies an MDMv1 profile to download and install",
        "file": "declarative/declarations/configurations/legacy.yaml",
        "keys": {
            "ProfileURL": {
                "help": "The URL of the profile to download and install, which needs to start with 'https://', and must be hosted by the MDM server. If a user enrollment triggers this configuration, the system silently ignores any MDM 1 payloads in macOS where the User Enrollment Mode setting is 'forbidden'. In iOS and tvOS, the system rejects the entire profile.",
                "required": True,
                "title": "Profile's URL.",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Legacy Profile",
    },
    "com.apple.configuration.legacy.interactive": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Specifies an MDMv1 profile to present to the user who may choose to download and install it",
        "file": "declarative/declarations/configurations/legacy.interactive.yaml",
        "keys": {
            "ProfileURL": {
                "help": "The URL of the profile to download and install, which needs to start with 'https://', and must be hosted by the MDM server. If a user enrollment triggers this configuration, the system silently ignores any MDM 1 payloads in macOS where the User Enrollment Mode setting is 'forbidden'. In iOS, the system rejects the entire profile.",
                "required": True,
                "title": "Profile's URL.",
                "type": "string",
            },
            "VisibleName": {
                "help": "The visible name of the configuration. This name needs to indicate the nature of the profile.",
                "required": True,
                "title": "Configuration Visible Name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Legacy Interactive Profile",
    },
    "com.apple.configuration.management.status-subscriptions": {
        "apply": "combined",
        "class": "configuration",
        "description": "Use this configuration to define the status subscriptions that cause status to be reported by the client.",
        "file": "declarative/declarations/configurations/management.status-subscriptions.yaml",
        "keys": {
            "StatusItems": {
                "help": "An array of status items that the device notifies subscribers about.",
                "item": {
                    "keys": {
                        "Name": {
                            "help": "The name of the status item to send to subscribers.",
                            "required": True,
                            "type": "string",
                        },
                    },
                    "type": "dictionary",
                },
                "required": True,
                "title": "Status Items",
                "type": "array",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"enrollments": ["supervised"], "introduced": "10.0", "scopes": ["system"]},
        },
        "title": "Management:Status Subscriptions",
    },
    "com.apple.configuration.management.test": {
        "apply": "multiple",
        "class": "configuration",
        "description": "A configuration used for testing only",
        "file": "declarative/declarations/configurations/management.test.yaml",
        "keys": {
            "Echo": {
                "help": "The string to echo back in a status response reason.",
                "required": True,
                "title": "Status Echo",
                "type": "string",
            },
            "EchoDataAssetReference": {
                "help": "The string to read from a data asset to echo back in status response reason description.",
                "title": "Status Echo from Asset",
                "type": "string",
            },
            "ReturnStatus": {
                "default": "Installed",
                "help": "The status the system reports back when the device implements the configuration. Use this to override the normal 'success' result.",
                "range": ["Installed", "Failed", "Unlocked"],
                "title": "Status to Return",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Management:Test",
    },
    "com.apple.configuration.math.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "Use this configuration to configure math-related settings",
        "file": "declarative/declarations/configurations/math.settings.yaml",
        "keys": {
            "Calculator": {
                "help": "If present, configures the built-in Calculator app.",
                "keys": {
                    "BasicMode": {
                        "help": "If present, configures the basic mode of the calculator. Basic mode is always enabled.",
                        "keys": {
                            "AddSquareRoot": {
                                "help": "Add the square root button to the basic calculator by replacing the +/- button. Normally, the square root button is available in scientific mode, so this key can be used to make it available when the scientific mode is restricted.",
                                "required": True,
                                "type": "boolean",
                            },
                        },
                        "type": "dictionary",
                    },
                    "InputModes": {
                        "help": "If present, controls global input options of the calculator. If not present, all input modes are enabled.",
                        "keys": {
                            "RPN": {
                                "help": "Configures whether RPN input is enabled.",
                                "required": True,
                                "type": "boolean",
                            },
                            "UnitConversion": {
                                "help": "Configures whether unit conversions are enabled.",
                                "required": True,
                                "type": "boolean",
                            },
                        },
                        "type": "dictionary",
                    },
                    "MathNotesMode": {
                        "help": "If present, configures the Math Notes mode of the calculator. If not present, math notes mode is enabled.",
                        "keys": {
                            "Enabled": {
                                "help": "Controls whether the mode is enabled.",
                                "required": True,
                                "type": "boolean",
                            },
                        },
                        "type": "dictionary",
                    },
                    "ProgrammerMode": {
                        "help": "If present, configures the programmer mode of the calculator. If not present, programmer mode is enabled.",
                        "keys": {
                            "Enabled": {
                                "help": "Controls whether the mode is enabled.",
                                "required": True,
                                "type": "boolean",
                            },
                        },
                        "type": "dictionary",
                    },
                    "ScientificMode": {
                        "help": "If present, configures the scientific mode of the calculator. If not present, scientific mode is enabled.",
                        "keys": {
                            "Enabled": {
                                "help": "Controls whether the mode is enabled.",
                                "required": True,
                                "type": "boolean",
                            },
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "SystemBehavior": {
                "help": "If present, configures math behavior in the system.",
                "keys": {
                    "KeyboardSuggestions": {
                        "help": "Controls whether keyboard suggestions include math solutions",
                        "required": True,
                        "type": "boolean",
                    },
                    "MathNotes": {
                        "help": "Controls whether Math Notes is allowed in other apps such as Notes.",
                        "required": True,
                        "type": "boolean",
                    },
                },
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"enrollments": ["supervised"], "introduced": "18.0", "scopes": ["system"]},
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Math Settings",
    },
    "com.apple.configuration.passcode.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "Use this configuration to define passcode policy settings",
        "file": "declarative/declarations/configurations/passcode.settings.yaml",
        "keys": {
            "ChangeAtNextAuth": {
                "default": False,
                "help": "If 'true', the system forces a password reset the next time the user tries to authenticate. If you set this key in a configuration in the system scope (device channel), the setting takes effect for all users, and admin authentication may fail until the admin user password is also reset.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Change At Next Auth",
                "type": "boolean",
            },
            "CustomRegex": {
                "help": "Specifies a regular expression, and its description, to enforce password compliance. Use the simpler passcode settings whenever possible, and rely on regular expression matching only when necessary. Mistakes in regular expressions can lead to frustrating user experiences, such as unsatisfiable passcode policies, or policy descriptions that don't match the enforced policy.",
                "keys": {
                    "Description": {
                        "free": True,
                        "help": "A dictionary with supported OS language IDs for the keys (such as 'en-US'), and values that represent a localized description of the policy that the regular expression enforces. Use the special 'default' key for languages that the dictionary doesn't contain.",
                        "type": "dictionary",
                    },
                    "Regex": {
                        "help": "A regular expression string to match against the password to determine whether it complies with a policy. The regular expression uses the ICU syntax. The string can't exceed 2048 characters in length.",
                        "required": True,
                        "type": "string",
                    },
                },
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "type": "dictionary",
            },
            "FailedAttemptsResetInMinutes": {
                "help": "The number of minutes before the login is reset after the maximum number of failed attempts. Also set the 'MaximumFailedAttempts' key for this to take effect.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Failed Attempts Reset",
                "type": "integer",
            },
            "MaximumFailedAttempts": {
                "default": 11,
                "help": "The number of failed passcode attempts that the system allows the user before iOS erases the device or macOS locks the device. If you don't change this setting, after six failed attempts, the device imposes a time delay before the user can enter a passcode again. The time delay increases with each failed attempt. After the final failed attempt, the system securely erases all data and settings from the iOS device. A macOS device locks after the final attempt. The passcode time delay begins after the sixth attempt, so if this value is six or lower, the system has no time delay and triggers the …",
                "max": 11,
                "min": 2,
                "title": "Maximum Number of Failed Attempts",
                "type": "integer",
            },
            "MaximumGracePeriodInMinutes": {
                "help": "The maximum period that a user can select, during which the user can unlock the device without a passcode. A value of '0' means no grace period, and the device requires a passcode immediately. In the absence of this key, the user can select any period. In macOS, the system translates this to screensaver settings.",
                "title": "Maximum Grace Period",
                "type": "integer",
            },
            "MaximumInactivityInMinutes": {
                "help": "The maximum period that a user can select, during which the device can be idle before the system automatically locks it. When the device reaches this limit, the device locks and the user must enter the passcode to unlock it. In the absence of this key, the user can select any period. In macOS, the system translates this to screensaver settings.",
                "max": 15,
                "min": 0,
                "title": "Automatic Device Lock",
                "type": "integer",
            },
            "MaximumPasscodeAgeInDays": {
                "help": "Specifies the maximum number of days that the passcode can remain unchanged. After this number of days, the system forces the user to change the passcode before it unlocks the device.",
                "max": 730,
                "min": 0,
                "title": "Maximum Passcode Age",
                "type": "integer",
            },
            "MinimumComplexCharacters": {
                "default": 0,
                "help": "Specifies the minimum number of complex characters in the password. A complex character is a character other than a number or a letter, such as '&', '%', '$', and '#'.",
                "max": 4,
                "min": 0,
                "title": "Minimum Complex Characters",
                "type": "integer",
            },
            "MinimumLength": {
                "default": 0,
                "help": "The minimum number of characters a passcode can contain.",
                "max": 16,
                "min": 0,
                "title": "Minimum Passcode Length",
                "type": "integer",
            },
            "PasscodeReuseLimit": {
                "help": "The number of historical passcode entries the system checks when validating a new passcode. The device refuses a new passcode if it matches a previously used passcode within the specified passcode history range. In the absence of this key, the system performs no historical check.",
                "max": 50,
                "min": 1,
                "title": "Passcode Reuse Limit",
                "type": "integer",
            },
            "RequireAlphanumericPasscode": {
                "default": False,
                "help": "If 'true', the passcode needs to consist of at least one alphabetic character and at least one number.",
                "title": "Require Alphanumeric Passcode",
                "type": "boolean",
            },
            "RequireComplexPasscode": {
                "default": False,
                "help": "If 'true', the system requires a complex passcode. A complex passcode is one that doesn't contain repeated characters or increasing or decreasing characters (such as 123 or CBA).",
                "title": "Require Complex Passcode",
                "type": "boolean",
            },
            "RequirePasscode": {
                "default": False,
                "help": "If 'true', the system requires the user to set a passcode without any requirements about the length or quality of the passcode. The presence of any other keys implicitly requires a passcode, and overrides this key's value.",
                "title": "Require Passcode on Device",
                "type": "boolean",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "2.0",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Passcode:Settings",
    },
    "com.apple.configuration.safari.extensions.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "Use this configuration to manage Safari Extensions.",
        "file": "declarative/declarations/configurations/safari.extensions.settings.yaml",
        "keys": {
            "ManagedExtensions": {
                "free": True,
                "help": "Extensions being managed",
                "title": "Managed Extensions",
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"enrollments": ["supervised"], "introduced": "18.0", "scopes": ["system"]},
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Safari:Extension Settings",
    },
    "com.apple.configuration.screensharing.connection": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define a connection to a Screen Sharing host.",
        "file": "declarative/declarations/configurations/screensharing.connection.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {
                "help": "The identifier of an asset declaration that contains the required credentials for this connection to authenticate with the screen-sharing server. Set the corresponding asset type to 'com.apple.asset.credential.userpassword'.",
                "title": "Authentication Credentials Asset Reference",
                "type": "string",
            },
            "ConnectionUUID": {
                "help": "A unique identifier for this connection when it's in a connection group.",
                "required": True,
                "title": "Unique Identifier",
                "type": "string",
            },
            "DisplayConfiguration": {
                "help": "The display configuration for this connection.",
                "keys": {
                    "DisplayType": {
                        "help": "The type of display for the connection, which has these allowed values: * 'Virtual1': Create one virtual display. * 'Virtual2': Create two virtual displays.",
                        "range": ["Virtual1", "Virtual2"],
                        "required": True,
                        "type": "string",
                    },
                },
                "required": True,
                "title": "Display Configuration",
                "type": "dictionary",
            },
            "DisplayName": {
                "help": "The name of the connection.",
                "required": True,
                "title": "The name of the connection.",
                "type": "string",
            },
            "HostName": {
                "help": "The host name or IP address of the Mac that hosts the screen-sharing connection.",
                "required": True,
                "title": "Host Name",
                "type": "string",
            },
            "Port": {
                "help": "The TCP port number on the host to initiate the connection.",
                "title": "TCP Port",
                "type": "integer",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Screen Sharing:Connection",
    },
    "com.apple.configuration.screensharing.connection.group": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to define a group of Screen Sharing connections.",
        "file": "declarative/declarations/configurations/screensharing.connection.group.yaml",
        "keys": {
            "ConnectionGroupUUID": {
                "help": "A string which uniquely identifies this connection group.",
                "required": True,
                "title": "Unique Identifier",
                "type": "string",
            },
            "GroupName": {
                "help": "The name of the Connection Group.",
                "required": True,
                "title": "Group Name",
                "type": "string",
            },
            "Members": {
                "help": "Array of ConnectionUUIDs (matching a connection declared in a com.apple.configuration.screensharing.connection configuration) of the Connections that should be members of this group.",
                "item": {"type": "string"},
                "required": True,
                "title": "Group Members",
                "type": "array",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Screen Sharing:Connection Group",
    },
    "com.apple.configuration.screensharing.host.settings": {
        "apply": "single",
        "class": "configuration",
        "description": "Use this configuration to define Screen Sharing host settings and restrictions.",
        "file": "declarative/declarations/configurations/screensharing.host.settings.yaml",
        "keys": {
            "MaximumVirtualDisplays": {
                "help": "Sets the maximum number of Virtual Displays to make available to clients.",
                "max": 2,
                "min": 0,
                "title": "Maximum number of Virtual Displays",
                "type": "integer",
            },
            "PortBase": {
                "help": "Specifies the initial UDP port number for connecting to the host. Screen Sharing needs multiple connections so additional connections will increment this base port number by 1 for each needed connection. This does not change the port number used to initially establish a connection with a host, which is always TCP port 5900.",
                "max": 65535,
                "min": 1024,
                "title": "UDP Port base",
                "type": "integer",
            },
            "PreventCopyFilesFromHost": {
                "default": False,
                "help": "Set to true to prevent users from copying files from the Screen Sharing host.",
                "title": "Prevent copying files from host",
                "type": "boolean",
            },
            "PreventCopyFilesToHost": {
                "default": False,
                "help": "Set to true to prevent users from copying files to the Screen Sharing host.",
                "title": "Prevent copying files to host",
                "type": "boolean",
            },
            "PreventHighPerformanceConnections": {
                "default": False,
                "help": "Set to true to prevent clients from establishing High Performance connections to the host.",
                "title": "Prevent High Performance connections",
                "type": "boolean",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "14.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Screen Sharing:Host Settings",
    },
    "com.apple.configuration.security.certificate": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to add a certificate to the device.",
        "file": "declarative/declarations/configurations/security.certificate.yaml",
        "keys": {
            "CredentialAssetReference": {
                "help": "The identifier of an asset declaration that contains the certificate to install.",
                "required": True,
                "title": "Credential asset reference",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Security:Certificate",
    },
    "com.apple.configuration.security.identity": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Use this configuration to install an identity on the device.",
        "file": "declarative/declarations/configurations/security.identity.yaml",
        "keys": {
            "AllowAllAppsAccess": {
                "default": False,
                "help": "If 'true', apps can access the private key.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Allow all apps access",
                "type": "boolean",
            },
            "CredentialAssetReference": {
                "help": "The identifier of an asset declaration that contains the identity to install.",
                "required": True,
                "title": "Credential asset reference",
                "type": "string",
            },
            "KeyIsExtractable": {
                "default": True,
                "help": "If 'true', the private key is extractable in the keychain.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Key is extractable",
                "type": "boolean",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Security:Identity",
    },
    "com.apple.configuration.security.passkey.attestation": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Configures the device to allow WebAuthn enterprise attestation for certain passkeys.",
        "file": "declarative/declarations/configurations/security.passkey.attestation.yaml",
        "keys": {
            "AttestationIdentityAssetReference": {
                "help": "The identifier of an asset declaration that contains the identity to install and use for passkey attestation.",
                "required": True,
                "title": "Attestation identity asset reference.",
                "type": "string",
            },
            "AttestationIdentityKeyIsExtractable": {
                "default": True,
                "help": "If 'true', the private key for the attestation identity is extractable in the keychain.",
                "title": "Attestation identity key is extractable",
                "type": "boolean",
            },
            "RelyingParties": {
                "help": "An array of the relying parties to allow enterprise attestation.",
                "item": {"title": "Relying party", "type": "string"},
                "required": True,
                "title": "Relying parties",
                "type": "array",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Security:Passkey:Attestation",
    },
    "com.apple.configuration.services.background-tasks": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Specifies management of a background tasks",
        "file": "declarative/declarations/configurations/services.background-tasks.yaml",
        "keys": {
            "ExecutableAssetReference": {
                "help": "Specifies the identifier of an asset declaration containing a reference to the files to be used for the background task configuration. The corresponding asset must be of type 'com.apple.asset.data'. The referenced data must be a zip archive of an entire directory, that will be expanded and stored in a well known location for the background task. The asset's 'ContentType' and 'Hash-SHA-256' keys in the 'Reference' key are required. This file should contain background task executables, scripts, and configuration files, but not the launchd configuration files.",
                "title": "Executable Asset Reference",
                "type": "string",
            },
            "LaunchdConfigurations": {
                "help": "An array of launchd configuration files used to run the background tasks.",
                "item": {
                    "keys": {
                        "Context": {
                            "help": "Indicates whether the launchd configuration file is applied to the system daemon, or system agent domain.",
                            "range": ["daemon", "agent"],
                            "required": True,
                            "title": "Launchd Context",
                            "type": "string",
                        },
                        "FileAssetReference": {
                            "help": "Specifies the identifier of an asset declaration containing a reference to the launchd configuration file for the background task. The referenced data must be a property list file conforming to the launchd.plist format. The asset's 'ContentType' and 'Hash-SHA-256' keys in the 'Reference' key are required.",
                            "required": True,
                            "title": "File Asset Reference",
                            "type": "string",
                        },
                    },
                    "required": True,
                    "type": "dictionary",
                },
                "title": "Launchd Configurations",
                "type": "array",
            },
            "TaskDescription": {
                "help": "A description of the set of background tasks managed by this configuration.",
                "title": "Task Description",
                "type": "string",
            },
            "TaskType": {
                "help": "The unique identifier of the set of background tasks managed with this configuration. This should be a reverse DNS style identifier. This is used solely by the management system to differentiate between tasks in different configurations.",
                "required": True,
                "title": "Task Type",
                "type": "string",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Services Background Tasks",
    },
    "com.apple.configuration.services.configuration-files": {
        "apply": "multiple",
        "class": "configuration",
        "description": "Specifies managed configuration files for services",
        "file": "declarative/declarations/configurations/services.configuration-files.yaml",
        "keys": {
            "DataAssetReference": {
                "help": "The identifier of an asset declaration that contains a reference to the files to use for system service configuration. Ensure that the corresponding asset: * Is of type 'com.apple.asset.data' * Is a zip archive of an entire directory * Has a 'Reference' key that includes the 'ContentType' and 'Hash-SHA-256' keys, which the system requires The system expands the zip archive and stores the data in a well-known location for the service.",
                "required": True,
                "title": "Data Asset Reference",
                "type": "string",
            },
            "ServiceType": {
                "help": "The identifier of the system service with managed configuration files. Use a reverse DNS style for this identifier. However, the system reserves 'com.apple.' prefix for built-in services. The available built-in services are: * 'com.apple.sshd' configures sshd * 'com.apple.sudo' configures sudo * 'com.apple.pam' configures PAM * 'com.apple.cups' configures CUPS * 'com.apple.apache.httpd' configures Apache httpd * 'com.apple.bash' configures bash * 'com.apple.zsh' configures zsh",
                "required": True,
                "title": "Service Type",
                "type": "string",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Services Configuration Files",
    },
    "com.apple.configuration.softwareupdate.enforcement.specific": {
        "apply": "multiple",
        "class": "configuration",
        "description": "A software update enforcement policy for a specific OS release",
        "file": "declarative/declarations/configurations/softwareupdate.enforcement.specific.yaml",
        "keys": {
            "DetailsURL": {
                "help": "The URL of a web page that shows details that the organization provides about the enforced update.",
                "title": "Details URL",
                "type": "string",
            },
            "TargetBuildVersion": {
                "help": "The target build version to update the device to by the appropriate time, for example, '20A242'. The system uses the build version for testing during seeding periods. The build version can include a supplemental version identifier, for example, '20A242a'. If the build version isn't consistent with the target OS version specified in the 'TargetOSVersion' key, the target OS version takes precedence.",
                "title": "Target Build Version",
                "type": "string",
            },
            "TargetLocalDateTime": {
                "help": "The local date time value that specifies when to force install the software update. Use the format 'yyyy-mm-ddThh:mm:ss', which is derived from RFC3339 but doesn't include a time zone offset. If the user doesn't trigger the software update before this time, the device force installs it.",
                "required": True,
                "title": "Target Local Date Time",
                "type": "string",
            },
            "TargetOSVersion": {
                "help": "The target OS version to update the device to by the appropriate time. This is the OS version number, for example, '16.1'.",
                "required": True,
                "title": "Target OS Version",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Software Update:Enforcement:Specific",
    },
    "com.apple.configuration.softwareupdate.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "Software update settings",
        "file": "declarative/declarations/configurations/softwareupdate.settings.yaml",
        "keys": {
            "AllowStandardUserOSUpdates": {
                "default": True,
                "help": "If 'true', a standard user can perform Major and Minor Software Updates. If 'false', only administrators can perform Major and Minor Software Updates.",
                "title": "Allow Standard User OS Updates",
                "type": "boolean",
            },
            "AutomaticActions": {
                "help": "Specifies various automatic Software Update functionality.",
                "keys": {
                    "Download": {
                        "default": "Allowed",
                        "help": "Specifies whether automatic downloads of available updates can be controlled by the user: * 'Allowed' - the user can enable or disable automatic downloads. * 'AlwaysOn' - automatic downloads are always enabled. * 'AlwaysOff' - automatic downloads are always disabled.",
                        "range": ["Allowed", "AlwaysOn", "AlwaysOff"],
                        "title": "Automatic downloads of available updates.",
                        "type": "string",
                    },
                    "InstallOSUpdates": {
                        "default": "Allowed",
                        "help": "Specifies whether automatic install of available OS updates can be controlled by the user: * 'Allowed' - the user can enable or disable automatic installs. * 'AlwaysOn' - automatic installs are always enabled. * 'AlwaysOff' - automatic installs are always disabled.",
                        "range": ["Allowed", "AlwaysOn", "AlwaysOff"],
                        "title": "Automatic installs of OS updates.",
                        "type": "string",
                    },
                    "InstallSecurityUpdate": {
                        "default": "Allowed",
                        "help": "Specifies whether automatic install of available security updates can be controlled by the user: * 'Allowed' - the user can enable or disable automatic installs. * 'AlwaysOn' - automatic installs are always enabled. * 'AlwaysOff' - automatic installs are always disabled.",
                        "range": ["Allowed", "AlwaysOn", "AlwaysOff"],
                        "title": "Automatic installs of available security updates.",
                        "type": "string",
                    },
                },
                "title": "Automatic Software Update Settings",
                "type": "dictionary",
            },
            "Beta": {
                "help": "Configurations for controlling or specifying the beta programs associated with a device.",
                "keys": {
                    "OfferPrograms": {
                        "help": "An array of beta programs allowed on the device. This key must only be present if the `ProgramEnrollment` key is set to `Allowed` or `AlwaysOn`. This key must not be present if the `RequireProgram` key is present. This key can be present on unsupervised devices where the `ProgramEnrollment` key is not supported but is implicitly set to `Allowed`.",
                        "item": {
                            "help": "The name and token associated with a specific beta program to be allowed.",
                            "keys": {
                                "Description": {
                                    "help": "A human readable description of the beta program.",
                                    "required": True,
                                    "type": "string",
                                },
                                "Token": {
                                    "help": "The Apple Business Manager or Apple School Manager seeding service token for the organization the MDM server is part of. This token is used to enroll the device in the corresponding beta program.",
                                    "required": True,
                                    "type": "string",
                                },
                            },
                            "required": True,
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                    "ProgramEnrollment": {
                        "default": "Allowed",
                        "help": "Specifies whether beta program enrollment can be controlled by the user in software update settings UI: * 'Allowed' - the user can enroll in any applicable beta programs associated with their logged in Apple Account. If the `OfferPrograms` key is present, then the programs listed in that key are also presented to the user. * 'AlwaysOn' - the beta programs specified by the organization are used, and the user is not be able to enroll in a beta program using their logged in Apple Account. The device is automatically enrolled into the beta program specified by the `RequireProgram` key if it is pr…",
                        "range": ["Allowed", "AlwaysOn", "AlwaysOff"],
                        "type": "string",
                    },
                    "RequireProgram": {
                        "help": "The device automatically enrolls in this beta program. This key must only be present if the `ProgramEnrollment` key is set to `AlwaysOn`. The `OfferPrograms` key must not be present if this key is present.",
                        "keys": {
                            "Description": {
                                "help": "A human readable description of the beta program.",
                                "required": True,
                                "type": "string",
                            },
                            "Token": {
                                "help": "The Apple Business Manager or Apple School Manager seeding service token for the organization the MDM server is part of. This token is used to enroll the device in the corresponding beta program.",
                                "required": True,
                                "type": "string",
                            },
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "Deferrals": {
                "help": "Controls the deferral of software updates. Rapid Security Responses are not considered within 'Major', 'Minor', or 'System' deferral mechanism.",
                "keys": {
                    "CombinedPeriodInDays": {
                        "help": "Specifies the number of days to defer a major or minor OS software update on the device. When set, software updates only appear after the specified delay, following the release of the software update.",
                        "max": 90,
                        "min": 1,
                        "title": "Combined Major/Minor Update Deferral Period",
                        "type": "integer",
                    },
                    "MajorPeriodInDays": {
                        "help": "Specifies the number of days to defer a major OS software update on the device. When set, software updates only appear after the specified delay, following the release of the software update.",
                        "max": 90,
                        "min": 1,
                        "title": "Major Update Deferral Period",
                        "type": "integer",
                    },
                    "MinorPeriodInDays": {
                        "help": "Specifies the number of days to defer a minor OS software update on the device. When set, software updates only appear after the specified delay, following the release of the software update.",
                        "max": 90,
                        "min": 1,
                        "title": "Minor Update Deferral Period",
                        "type": "integer",
                    },
                    "SystemPeriodInDays": {
                        "help": "Specifies the number of days to defer system or non-OS updates. When set, updates only appear after the specified delay, following the release of the update.",
                        "max": 90,
                        "min": 1,
                        "title": "System Update Deferral Period",
                        "type": "integer",
                    },
                },
                "title": "Software Update Deferrals",
                "type": "dictionary",
            },
            "Notifications": {
                "default": True,
                "help": "If 'true', the device shows all software update enforcement notifications. If 'false', the device only shows notifications triggered one hour before the enforcement deadline, and the restart countdown notification.",
                "title": "Software Update Notifications",
                "type": "boolean",
            },
            "RapidSecurityResponse": {
                "help": "These configurations allow for setting user access to interacting with Rapid Security Responses (RSRs).",
                "keys": {
                    "Enable": {
                        "default": True,
                        "help": "If 'false', Rapid Security Responses are not offered for user installation. Rapid Security Responses can still be installed via 'com.apple.configuration.softwareupdate.enforcement.specific' configurations. If 'true', Rapid Security Responses are offered to the user.",
                        "title": "Enable Rapid Security Response Installation",
                        "type": "boolean",
                    },
                    "EnableRollback": {
                        "default": True,
                        "help": "If 'false', Rapid Security Response rollbacks are not offered to the user. If 'true', Rapid Security Response rollbacks are offered to the user.",
                        "title": "Enable Rapid Security Response Rollbacks",
                        "type": "boolean",
                    },
                },
                "title": "Rapid Security Response Settings",
                "type": "dictionary",
            },
            "RecommendedCadence": {
                "help": "Specifies how the device shows software updates to the user. When more than one update is available update, the device behaves as follows: * 'All' - Shows all software update versions. * 'Oldest' - Shows only the oldest (lower numbered) software update version. * 'Newest' - Shows only the newest (highest numbered) software update version.",
                "range": ["All", "Oldest", "Newest"],
                "title": "Software Update Recommended Cadence",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Software Update:Settings",
    },
    "com.apple.configuration.watch.enrollment": {
        "apply": "single",
        "class": "configuration",
        "description": "Specifies an MDMv1 Apple Watch enrollment profile",
        "file": "declarative/declarations/configurations/watch.enrollment.yaml",
        "keys": {
            "AnchorCertificateAssetReferences": {
                "help": "An array of identifiers of asset declarations that contain anchor certificates to use to evaluate the trust of the enrollment profile server. Set the type of the corresponding assets to 'com.apple.asset.credential.certificate'. These certificates are pinned, meaning that the server specified by the 'EnrollmentProfileURL' must use a certificate that chains to one of the certs in this array. If it chains to one of the built-in trusted root certificates but not one of the 'AnchorCertificateAssetReferences' certs, the connection will fail.",
                "item": {
                    "help": "Specifies the identifier of an asset declaration containing the anchor certificate to be used.",
                    "type": "string",
                },
                "title": "Anchor Certificate Asset References.",
                "type": "array",
            },
            "EnrollmentProfileURL": {
                "help": "The URL of the profile that the Apple Watch downloads and installs if the user opts in to management during the pairing process, which needs to start with 'https://'. Successful enrollment requires that the pairing iPhone is supervised and the profile contains an MDM payload. Apple Watch attempts to install each payload that the profile contains.",
                "required": True,
                "title": "Watch Enrollment Profile's URL.",
                "type": "string",
            },
        },
        "os": {
            "iOS": {"enrollments": ["supervised"], "introduced": "17.0", "scopes": ["system"]},
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Watch:Enrollment",
    },
    "com.apple.management.organization-info": {
        "apply": "",
        "class": "management",
        "description": "Use this declaration to tell the client about the server's organization information.",
        "file": "declarative/declarations/management/organization-info.yaml",
        "keys": {
            "Email": {
                "help": "The email address of the contact person for the organization.",
                "title": "Organization Email Address",
                "type": "string",
            },
            "Name": {
                "help": "The name of the organization.",
                "required": True,
                "title": "Organization Name",
                "type": "string",
            },
            "Proof": {
                "help": "The additional properties that verify the identity and authenticity of the organization.",
                "keys": {
                    "IdentityToken": {
                        "help": "A token that verifies the identity of the organization when using this service.",
                        "title": "Organization Identity Token",
                        "type": "string",
                    },
                },
                "title": "Organization Identity",
                "type": "dictionary",
            },
            "URL": {
                "help": "The website of the organization to contact for support.",
                "title": "Organization URL",
                "type": "string",
            },
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Management:Organization Information",
    },
    "com.apple.management.properties": {
        "apply": "",
        "class": "management",
        "description": "Use this declaration to set properties on the device.",
        "file": "declarative/declarations/management/properties.yaml",
        "keys": {
            "ANY": {
                "help": "Each entry represents a property key/value.",
                "title": "Property",
                "type": "any",
            },
        },
        "os": {
            "iOS": {"introduced": "16.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Management:Properties",
    },
    "com.apple.management.server-capabilities": {
        "apply": "",
        "class": "management",
        "description": "Use this declaration to tell the client about the server's capabilities.",
        "file": "declarative/declarations/management/server-capabilities.yaml",
        "keys": {
            "SupportedFeatures": {
                "free": True,
                "help": "A dictionary that contains the server's optional protocol features. Each dictionary item uses the key name to represent a feature, and the value to hold the feature's associated parameters. This protocol reserves keys with a prefix of “'com.apple.'”, which appear as subkeys in this dictionary.",
                "required": True,
                "title": "Supported Features",
                "type": "dictionary",
            },
            "Version": {
                "help": "The server's protocol version.",
                "required": True,
                "title": "Protocol Version",
                "type": "string",
            },
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Management:Server Capabilities",
    },
}

# status item name -> per-OS support, allowed enrollment kinds and scopes
STATUS_ITEMS: dict[str, Any] = {
    "account.list.caldav": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "account.list.carddav": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "account.list.exchange": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "account.list.google": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "account.list.ldap": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "account.list.mail.incoming": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "account.list.mail.outgoing": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "account.list.subscribed-calendar": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
    },
    "app.managed.list": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "17.2",
                "scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "device.identifier.serial-number": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.identifier.udid": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.model.family": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.model.identifier": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.model.marketing-name": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.model.number": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.operating-system.build-version": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.operating-system.family": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.operating-system.marketing-name": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.operating-system.supplemental.build-version": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.1",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.1",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.operating-system.supplemental.extra-version": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.1",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.1",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.operating-system.version": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "device.power.battery-health": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "14.4",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "diskmanagement.filevault.enabled": {
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "14.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "management.client-capabilities": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"enrollments": ["supervised"], "introduced": "10.0", "scopes": ["system"]},
        },
    },
    "management.declarations": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"enrollments": ["supervised"], "introduced": "10.0", "scopes": ["system"]},
        },
    },
    "mdm.app": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"enrollments": ["supervised"], "introduced": "10.0", "scopes": ["system"]},
        },
    },
    "passcode.is-compliant": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "passcode.is-present": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "screensharing.connection.group.unresolved-connection": {
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.1",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "security.certificate.list": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "services.background-task": {
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "14.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "softwareupdate.beta-enrollment": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "softwareupdate.device-id": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "softwareupdate.failure-reason": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "softwareupdate.install-reason": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "softwareupdate.install-state": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "softwareupdate.pending-version": {
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
    },
    "test.array-value": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "test.boolean-value": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "test.dictionary-value": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "test.error-value": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "test.integer-value": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "test.real-value": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
    "test.string-value": {
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
    },
}
