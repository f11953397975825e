"""Apple declarative-management declarations table. GENERATED FILE: do not edit by hand.

Source: https://github.com/apple/device-management at commit 61449b07e22d7d659aaa9ae65a29688cff3902a2
(declarative/declarations). Regenerate with `manage.py generate_declaration_table`.
"""

from typing import Any

SCHEMA_COMMIT = "61449b07e22d7d659aaa9ae65a29688cff3902a2"

# declaration Type -> class, title, source file, apply, per-OS support with the allowed
# enrollment kinds and scopes (absent: no limit stated), the scopes allowed on a Shared
# iPad (sharedipad_scopes; empty: not on a Shared iPad), and the payload keys' shape
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
                "help": "The server authentication details. If this key is absent, the default authentication type is MDM.",
                "keys": {
                    "Type": {
                        "help": "The type of authentication, which has these allowed values: - `MDM`: A request that uses MDM semantics, which includes the device-identity certificate, and any user authentication. This is equivalent to an MDM request made to the `CheckInURL` or `ServerURL`. This option is only available through declarative device management. - `None`: A standard GET request. If the `Authentication` dictionary is absent, the default authentication type is MDM.",
                        "range": ["MDM", "None"],
                        "required": True,
                        "title": "Authentication type",
                        "type": "string",
                    },
                },
                "title": "Server authentication",
                "type": "dictionary",
            },
            "Reference": {
                "help": "The external reference. Ensure that the asset data uses a media type of `application/pkcs1` or `application/pem` to correctly identify the type of encoded certificate. If the asset data includes a `ContentType` sub-key, set it to the corresponding media type.",
                "keys": {
                    "ContentType": {
                        "help": "The media type that describes the data. If present, the system checks the actual media type of the downloaded data, and an error occurs if the values don't match.",
                        "title": "Content type",
                        "type": "string",
                    },
                    "DataURL": {
                        "help": "The URL to retrieve data, which needs to start with `https://`.",
                        "required": True,
                        "title": "Data URL",
                        "type": "string",
                    },
                    "Hash-SHA-256": {
                        "help": "A SHA-256 hash of the data stored at the `DataURL`. Don't set this value if `Size` is `0` as the client ignores it. However, if present, the system checks the actual hash of the downloaded data, and an error occurs if the values don't match.",
                        "title": "SHA-256 hash",
                        "type": "string",
                    },
                    "Size": {
                        "help": "The size of the data. Set the size to `0` if there's no expectation of a response body. If present, the system checks the actual size of the downloaded data, and an error occurs if the values don't match.",
                        "title": "Size",
                        "type": "integer",
                    },
                },
                "required": True,
                "title": "External reference",
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
    "com.apple.configuration.accessibility.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "The declaration to configure accessibility settings.",
        "file": "declarative/declarations/configurations/accessibility.settings.yaml",
        "keys": {
            "Vision": {
                "help": "If present, configures vision accessibility settings.",
                "keys": {
                    "AllowLiveRecognition": {
                        "default": True,
                        "help": "If `false`, disables the Live Recognition accessibility feature.",
                        "title": "Allow live recognition",
                        "type": "boolean",
                    },
                },
                "title": "Vision",
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "Accessibility Settings",
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
        "description": "The declaration to configure an Exchange account.",
        "file": "declarative/declarations/configurations/account.exchange.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {
                "help": "The identifier of an asset declaration that contains the credentials for this account to authenticate with an Exchange server. Set the corresponding asset type to `CredentialUserNameAndPassword`.",
                "title": "Authentication credentials asset reference",
                "type": "string",
            },
            "AuthenticationIdentityAssetReference": {
                "help": "The identifier of a credential asset declaration that contains the identity that this account requires to authenticate with the Exchange server.",
                "title": "Authentication identity asset reference",
                "type": "string",
            },
            "CalendarServiceActive": {
                "default": True,
                "help": "If `true`, activates the calendar service for this account.",
                "title": "Calendar service active",
                "type": "boolean",
            },
            "ContactsServiceActive": {
                "default": True,
                "help": "If `true`, activates the address book service for this account.",
                "title": "Contacts service active",
                "type": "boolean",
            },
            "EnabledProtocolTypes": {
                "help": "The set of protocol types to enable on the Exchange server, in order of preference. This is an array of unique strings with possible values: - `EAS:` Exchange ActiveSync - `EWS:` Exchange Web Services If the device supports one or more of the listed protocol types, it sets up an account for the first supported type. If the device doesn't support any of the listed protocol types, it doesn't set up an account and the system reports an error.",
                "item": {"range": ["EAS", "EWS"], "required": True, "type": "string"},
                "required": True,
                "title": "Enabled protocol types",
                "type": "array",
            },
            "External Path": {
                "help": "The external path of the EWS server. The system uses this only when this declaration has a `ExternalHostName` value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server external path",
                "type": "string",
            },
            "ExternalHostName": {
                "help": "The external hostname of the EWS server (or IP address).",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server external host name",
                "type": "string",
            },
            "ExternalPort": {
                "help": "The external port number of the EWS server. The system uses this only when this declaration has a `ExternalHostName` value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server external port",
                "type": "integer",
            },
            "HostName": {
                "help": "The IP address or fully qualified domain name (FQDN) of the Exchange host.",
                "title": "Server host name",
                "type": "string",
            },
            "LockCalendarService": {
                "default": False,
                "help": "If `true`, the system prevents the user from changing the status of the calendar service for this account.",
                "not_user": {"macOS": "platform"},
                "title": "Lock calendar service",
                "type": "boolean",
            },
            "LockContactsService": {
                "default": False,
                "help": "If `true`, the system prevents the user from changing the status of the address book service for this account.",
                "not_user": {"macOS": "platform"},
                "title": "Lock contacts service",
                "type": "boolean",
            },
            "LockMailService": {
                "default": False,
                "help": "If `true`, the system prevents the user from changing the status of the mail service for this account.",
                "not_user": {"macOS": "platform"},
                "title": "Lock mail service",
                "type": "boolean",
            },
            "LockNotesService": {
                "default": False,
                "help": "If `true`, the system prevents the user from changing the status of the notes service for this account.",
                "not_user": {"macOS": "platform"},
                "title": "Lock notes service",
                "type": "boolean",
            },
            "LockRemindersService": {
                "default": False,
                "help": "If `true`, the system prevents the user from changing the status of the reminders service for this account.",
                "not_user": {"macOS": "platform"},
                "title": "Lock reminders service",
                "type": "boolean",
            },
            "MailServiceActive": {
                "default": True,
                "help": "If `true`, the system activates the mail service for this account.",
                "title": "Mail service active",
                "type": "boolean",
            },
            "NotesServiceActive": {
                "default": True,
                "help": "If `true`, the system activates the notes service for this account.",
                "title": "Notes service active",
                "type": "boolean",
            },
            "OAuth": {
                "help": "The configuration settings for OAuth for this account.",
                "keys": {
                    "Enabled": {
                        "help": "If `true`, enables OAuth for this account.",
                        "required": True,
                        "title": "Use OAuth",
                        "type": "boolean",
                    },
                    "SignInURL": {
                        "help": "The URL that this account uses for signing in with OAuth. The system ignores this value unless `Enabled` is `true`. The system doesn't use autodiscovery when a declaration contains this URL, so the declaration must also contain a `HostName`.",
                        "title": "Sign in URL",
                        "type": "string",
                    },
                    "TokenRequestURL": {
                        "help": "The URL that this account uses for token requests with OAuth. The system ignores this value unless `Enabled` is `true`.",
                        "not_user": {"macOS": "platform"},
                        "title": "Token request URL",
                        "type": "string",
                    },
                },
                "title": "Controls use of OAuth",
                "type": "dictionary",
            },
            "Path": {
                "help": "The path of the EWS server. The system uses this only when this declaration has a `HostName` value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server path",
                "type": "string",
            },
            "Port": {
                "help": "The port number of the EWS server. The system uses this only when this declaration has a `HostName` value.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Server port",
                "type": "integer",
            },
            "RemindersServiceActive": {
                "default": True,
                "help": "If `true`, the system activates the reminders service for this account.",
                "title": "Reminders service active",
                "type": "boolean",
            },
            "SMIME": {
                "help": "Settings for S/MIME.",
                "keys": {
                    "Encryption": {
                        "help": "Settings for S/MIME encryption.",
                        "keys": {
                            "Enabled": {
                                "help": "If `true`, the system enables S/MIME encryption by default, which the user can't override if `PerMessageSwitchEnabled` is `false`.",
                                "required": True,
                                "title": "Encryption by default enabled",
                                "type": "boolean",
                            },
                            "IdentityAssetReference": {
                                "help": "Specifies the identifier of an asset declaration containing the identity required for S/MIME encryption. The system attaches the public certificate to outgoing mail to allow the user to receive encrypted mail. When the user sends encrypted mail, the system uses the public certificate to encrypt the copy of the mail in their Sent mailbox.",
                                "title": "S/MIME encryption identity asset reference",
                                "type": "string",
                            },
                            "IdentityUserOverrideable": {
                                "default": False,
                                "help": "If `true`, the user can select an S/MIME signing identity in Settings.",
                                "title": "Encryption identity user overrideable",
                                "type": "boolean",
                            },
                            "PerMessageSwitchEnabled": {
                                "default": False,
                                "help": "If `true`, the system enables the per-message encryption switch in the compose view.",
                                "title": "Per message switch enabled",
                                "type": "boolean",
                            },
                            "UserOverrideable": {
                                "default": False,
                                "help": "If `true`, the user can turn S/MIME encryption by default on or off in Settings.",
                                "title": "Encryption by default user overrideable",
                                "type": "boolean",
                            },
                        },
                        "title": "S/MIME encryption settings",
                        "type": "dictionary",
                    },
                    "Signing": {
                        "help": "Settings for S/MIME signing.",
                        "keys": {
                            "Enabled": {
                                "help": "If `true`, the system enables S/MIME signing.",
                                "required": True,
                                "title": "Signing enabled",
                                "type": "boolean",
                            },
                            "IdentityAssetReference": {
                                "help": "Specifies the identifier of an asset declaration containing the identity required for S/MIME signing of messages sent from this account.",
                                "title": "S/MIME signing identity asset reference",
                                "type": "string",
                            },
                            "IdentityUserOverrideable": {
                                "default": False,
                                "help": "If `true`, the user can select an S/MIME signing identity in Settings.",
                                "title": "Signing identity user overrideable",
                                "type": "boolean",
                            },
                            "UserOverrideable": {
                                "default": False,
                                "help": "If `true`, the user can turn S/MIME signing on or off in Settings.",
                                "title": "Signing user overrideable",
                                "type": "boolean",
                            },
                        },
                        "title": "S/MIME signing settings",
                        "type": "dictionary",
                    },
                },
                "not_user": {"macOS": "platform"},
                "title": "S/MIME settings",
                "type": "dictionary",
            },
            "UserIdentityAssetReference": {
                "help": "The identifier of an asset declaration that contains the user identity for this account. The corresponding asset must be of type `UserIdentity`.",
                "title": "User identity asset reference",
                "type": "string",
            },
            "VisibleName": {
                "help": "The name that apps show to the user for this Exchange account. If not present, the system generates a suitable default.",
                "title": "Account name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
        "description": "The declaration to configure a managed app.",
        "file": "declarative/declarations/configurations/app.managed.yaml",
        "keys": {
            "AppComposedIdentifier": {
                "help": "A string that specifies the composed identifier of an existing app that needs to be managed. The device uses this to take over management of an app installed by some other process, for example installed manually by the user, or via a package configuration. If the app isn't present when the device applies the configuration, the device takes over management of it when it does install. Management of the app occurs only if its code signature matches the composed identifier. The following rules apply when the device takes over management: - If the `InstallBehavior.Install` key is set to `Required`…",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "App composed identifier",
                "type": "string",
            },
            "AppConfig": {
                "help": "A dictionary of app config data and credentials.",
                "keys": {
                    "Certificates": {
                        "help": "Provides certificates to the managed app or extension. Each element in the array contains a certificate asset reference and an associated identifier which the app or extension uses to look up the certificate.",
                        "item": {
                            "help": "A dictionary of values associated with a credential config.",
                            "keys": {
                                "AssetReference": {
                                    "help": "Specifies the identifier of an asset declaration containing a certificate.",
                                    "required": True,
                                    "title": "Asset reference",
                                    "type": "string",
                                },
                                "Identifier": {
                                    "help": "The app or extension uses this identifier to fetch the corresponding certificate using the `ManagedApp` framework. App developers define the values for these identifiers.",
                                    "required": True,
                                    "title": "Certificate identifier",
                                    "type": "string",
                                },
                            },
                            "required": True,
                            "title": "Certificate app config item",
                            "type": "dictionary",
                        },
                        "title": "Certificate App/Extension configs.",
                        "type": "array",
                    },
                    "DataAssetReference": {
                        "help": "Specifies the identifier of an asset declaration containing a reference to the app or extension config data. The corresponding asset needs to be of type `com.apple.asset.data`. The referenced data needs to be a property list file, and the asset's 'ContentType' value set to match the data type.",
                        "title": "App/Extension config data asset reference",
                        "type": "string",
                    },
                    "Identities": {
                        "help": "Provides identities to the managed app or extension. Each element in the array contains an identity asset reference and an associated identifier which the app or extension uses to look up the identity.",
                        "item": {
                            "help": "A dictionary of values associated with a credential config.",
                            "keys": {
                                "AssetReference": {
                                    "help": "Specifies the identifier of an asset declaration containing an identity.",
                                    "required": True,
                                    "title": "Asset reference",
                                    "type": "string",
                                },
                                "Identifier": {
                                    "help": "The app or extension uses this identifier to fetch the corresponding identity using the `ManagedApp` framework. App developers define the values for these identifiers.",
                                    "required": True,
                                    "title": "Identity identifier",
                                    "type": "string",
                                },
                            },
                            "required": True,
                            "title": "Identity app config item",
                            "type": "dictionary",
                        },
                        "title": "Identity App/Extension configs.",
                        "type": "array",
                    },
                    "Passwords": {
                        "help": "Provides passwords to the managed app or extension. Each element in the array contains a password asset reference and an associated identifier which the app or extension uses to look up the password.",
                        "item": {
                            "help": "A dictionary of values associated with a credential config.",
                            "keys": {
                                "AssetReference": {
                                    "help": "Specifies the identifier of an asset declaration containing a username and password. The `ManagedApp` framework makes the password available to the app or extension. The `ManagedApp` framework ignores the username.",
                                    "required": True,
                                    "title": "Asset reference",
                                    "type": "string",
                                },
                                "Identifier": {
                                    "help": "The app or extension uses this identifier to fetch the corresponding password using the `ManagedApp` framework. App developers define the values for these identifiers.",
                                    "required": True,
                                    "title": "Password identifier",
                                    "type": "string",
                                },
                            },
                            "required": True,
                            "title": "Password app config item",
                            "type": "dictionary",
                        },
                        "title": "Password App/Extension configs.",
                        "type": "array",
                    },
                },
                "title": "App config",
                "type": "dictionary",
            },
            "AppStoreID": {
                "help": "The App Store ID of the managed app that's downloaded from the App Store. Only one of `AppStoreID`, `BundleID`, `ManifestURL`, or `AppComposedIdentifier` needs to be present.",
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
                        "title": "Associated domains",
                        "type": "array",
                    },
                    "AssociatedDomainsEnableDirectDownloads": {
                        "default": False,
                        "help": "If `true`, the system enables direct downloads for the `AssociatedDomains`.",
                        "title": "Associated domains enable direct downloads",
                        "type": "boolean",
                    },
                    "CellularSliceUUID": {
                        "help": "The cellular slice identifier, which can be the data network name (DNN) or app category. For DNN, encode the value as 'DNN:name', where 'name' is the carrier-provided DNN name. For app category, encode the value as 'AppCategory:category', where 'category' is a carrier-provided string such as 'Enterprise1'.",
                        "not_user": {"visionOS": "platform"},
                        "title": "Cellular slice UUID",
                        "type": "string",
                    },
                    "ContentFilterUUID": {
                        "help": "The UUID of the content filter to associate with the app.",
                        "title": "Content filter UUID",
                        "type": "string",
                    },
                    "DNSProxyUUID": {
                        "help": "The UUID of the DNS proxy to associate with the app.",
                        "title": "DNS proxy UUID",
                        "type": "string",
                    },
                    "Hideable": {
                        "default": True,
                        "help": "If `false`, the system prevents the user from hiding the app. It doesn't affect the user's ability to leave it in the App Library, while removing it from the Home Screen.",
                        "not_user": {"visionOS": "platform"},
                        "title": "Hideable",
                        "type": "boolean",
                    },
                    "Lockable": {
                        "default": True,
                        "help": "If `false`, the system prevents the user from locking the app. This also prevents the user from hiding the app.",
                        "not_user": {"visionOS": "platform"},
                        "title": "Lockable",
                        "type": "boolean",
                    },
                    "RelayUUID": {
                        "help": "The UUID of the relay to associate with the app.",
                        "title": "Relay UUID",
                        "type": "string",
                    },
                    "TapToPayScreenLock": {
                        "default": False,
                        "help": "If `true`, the device automatically locks after every transaction that requires a customer's card PIN. If `false`, the user can choose the behavior.",
                        "not_user": {"visionOS": "platform"},
                        "title": "Tap to pay screen lock",
                        "type": "boolean",
                    },
                    "VPNUUID": {
                        "help": "The UUID of the VPN to associate with the app.",
                        "title": "VPN UUID",
                        "type": "string",
                    },
                },
                "not_user": {"macOS": "platform"},
                "title": "App attributes",
                "type": "dictionary",
            },
            "BundleID": {
                "help": "The bundle ID of the managed app that's downloaded from the App Store. Only one of `AppStoreID`, `BundleID`, `ManifestURL`, or `AppComposedIdentifier` needs to be present.",
                "title": "Bundle ID",
                "type": "string",
            },
            "ExtensionConfigs": {
                "free": True,
                "help": "A dictionary of extension config data and credentials.",
                "title": "Extension configs",
                "type": "dictionary",
            },
            "IncludeInBackup": {
                "default": True,
                "help": "If `true`, backups contain the app and its data.",
                "not_user": {"macOS": "platform"},
                "title": "Include in backup",
                "type": "boolean",
            },
            "InstallBehavior": {
                "help": "A dictionary that describes how and when to install the app.",
                "keys": {
                    "AllowDownloadsOverCellular": {
                        "default": "StoreSettings",
                        "help": "Indicates how the device uses a cellular network when it downloads the app for automatic install or update operations: - `AlwaysOn`: The device downloads apps of any size using a cellular network. - `AlwaysOff`: The device doesn't download apps using a cellular network. The device pauses the automatic install or update operation until a different network is active. - `StoreSettings`: The device uses the settings for the corresponding store when downloading apps. The device always uses the store settings to download apps when the install or update operation is user initiated.",
                        "not_user": {
                            "iOS": "enrollment",
                            "macOS": "platform",
                            "visionOS": "platform",
                        },
                        "range": ["AlwaysOn", "AlwaysOff", "StoreSettings"],
                        "title": "Allow downloads over cellular",
                        "type": "string",
                    },
                    "Install": {
                        "default": "Optional",
                        "help": "A string that specifies if the app needs to remain on the device at all times or if the user can freely install and remove it, which is one of the following values: - `Optional`: The user can install and remove the app after the system activates the configuration. - `Required`: The system installs the app after it activates the configuration. The user can't remove the app. The system automatically installs apps on supervised devices. Otherwise, the device prompts the user to approve installation of the app.",
                        "range": ["Optional", "Required"],
                        "title": "Install",
                        "type": "string",
                    },
                    "License": {
                        "help": "A dictionary that describes the app's license.",
                        "keys": {
                            "Assignment": {
                                "help": "The type of license that the app uses for installation through the App Store, which is one of the following values: - `Device`: The app has a device license. - `User`: The app has a user license. This key needs to be present for App Store apps, when either `AppStoreID` or `BundleID` are present in the configuration.",
                                "range": ["Device", "User"],
                                "title": "Assignment",
                                "type": "string",
                            },
                            "VPPType": {
                                "help": "The type of VPP license that the app uses for installation through the App Store, which is one of the following values: - `Device`: The app has a VPP device license. - `User`: The app has a VPP user license. This key needs to be present to install an app through the App Store.",
                                "not_user": {"macOS": "platform", "visionOS": "platform"},
                                "range": ["Device", "User"],
                                "title": "VPP type",
                                "type": "string",
                            },
                        },
                        "title": "License",
                        "type": "dictionary",
                    },
                    "Version": {
                        "help": "The App Store external version identifier (EVID) of the version of the app the device installs. You can retrieve this value from the App Store. For more information, see `Apps and books metadata for organizations`. This key is ignored if the app isn't an App Store app. The following rules apply when the device applies or updates the configuration: - If this key isn't present: - If the app isn't present, the device installs the latest version. - If the app is present, if allowed the device takes over management of the current version of the app. - If this key is present: - If the app isn't pre…",
                        "title": "Version",
                        "type": "integer",
                    },
                },
                "title": "Install behavior",
                "type": "dictionary",
            },
            "LegacyAppConfigAssetReference": {
                "help": "The identifier of an asset declaration containing a reference to the app config data. The device provides the app config data to the app using the MDMv1 behavior. The corresponding asset needs to be of type `com.apple.asset.data`. The referenced data needs to be a property list file, and the asset's 'ContentType' value set to match the data type.",
                "title": "App config MDMv1 asset reference",
                "type": "string",
            },
            "ManifestURL": {
                "help": "The URL of the manifest for the managed app that the device downloads from a web site. The manifest is a `ManifestURL` property list. Only one of `AppStoreID`, `BundleID`, `ManifestURL`, or `AppComposedIdentifier` needs to be present.",
                "not_user": {"macOS": "platform"},
                "title": "Manifest URL",
                "type": "string",
            },
            "UpdateBehavior": {
                "help": "A dictionary that specifies how the device updates apps.",
                "keys": {
                    "AutomaticAppUpdates": {
                        "help": "Specifies whether the device automatically updates the app: - `AlwaysOn`: The device automatically updates the app to the latest version. For App Store apps, the device periodically checks the store for updates. For Enterprise apps, the device periodically downloads the manifest file and compares it to the previous manifest file. If the device detects a change to the bundle version in the manifest, it downloads and updates the app. - `AlwaysOff`: The device never automatically updates the app. - `StoreSettings`: The device uses the settings for the corresponding store to determine when to aut…",
                        "range": ["AlwaysOn", "AlwaysOff", "StoreSettings"],
                        "required": True,
                        "title": "Automatic app updates",
                        "type": "string",
                    },
                },
                "title": "Update behavior",
                "type": "dictionary",
            },
            "iOSApp": {
                "default": False,
                "help": "If `true`, the device installs an iOS or iPadOS app that runs on a Mac with Apple silicon. This is only used when the app is an App Store app.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "iOS app",
                "type": "boolean",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "17.2",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "26.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "2.4",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "App:Managed",
    },
    "com.apple.configuration.app.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "The declaration to configure app settings.",
        "file": "declarative/declarations/configurations/app.settings.yaml",
        "keys": {
            "Allowed": {
                "help": "The dictionary of allowed app settings.",
                "keys": {
                    "AllowedApps": {
                        "help": "If present, the device only shows or launches apps with bundle IDs in the array. Include the value `com.apple.webapp` to allow all webclips. This applies to App Store apps, marketplace apps, and locally installed apps (using Configurator, Xcode, and so forth).",
                        "item": {
                            "help": "String containing an identifier to match an app.",
                            "required": True,
                            "type": "string",
                        },
                        "title": "Allowed apps",
                        "type": "array",
                    },
                    "AllowedBinaries": {
                        "help": "If present, the device only allows binaries that match the binary identifier properties to run. A binary only matches when all the binary identifiers match. The device always runs system critical processes. Use 'codesign -dvvv <path_to_binary>' to show the information you need to generate these values.",
                        "item": {
                            "help": "Dictionary containing one or more identifier fields to match a binary.",
                            "keys": {
                                "CDHash": {
                                    "help": "The 40 character code signature code directory hash of the binary.",
                                    "title": "Code directory hash",
                                    "type": "string",
                                },
                                "PathPrefix": {
                                    "help": "The file system path prefix to match binaries.",
                                    "title": "Path prefix",
                                    "type": "string",
                                },
                                "SigningID": {
                                    "help": "The code signature signing identifier of the binary.",
                                    "title": "Signing ID",
                                    "type": "string",
                                },
                                "SigningState": {
                                    "default": "All",
                                    "help": "The code signing state to match binaries.",
                                    "range": [
                                        "All",
                                        "TestFlight",
                                        "DeveloperID",
                                        "Enterprise",
                                        "AppStore",
                                        "Apple",
                                    ],
                                    "title": "Signing state",
                                    "type": "string",
                                },
                                "TeamID": {
                                    "help": "The code signature team identifier of the binary. Use the value '\\*APPLE\\*' instead of an empty string for Apple binaries with an empty team identifier.",
                                    "title": "Team ID",
                                    "type": "string",
                                },
                            },
                            "required": True,
                            "title": "Binary identifier",
                            "type": "dictionary",
                        },
                        "title": "Allowed binaries",
                        "type": "array",
                    },
                    "AlwaysAllowManagedApps": {
                        "default": False,
                        "help": "If `true`, the device implicitly includes managed apps in the effective allow list when `AllowedApps` or `AllowedBinaries` is present.",
                        "title": "Always allow managed apps",
                        "type": "boolean",
                    },
                    "DeniedApps": {
                        "help": "If present, the device prevents showing or launching apps with bundle IDs in the array. Include the value `com.apple.webapp` to restrict all webclips. This applies to App Store apps, marketplace apps, and locally installed apps (using Configurator, Xcode, and so forth). > Note: > Denying system apps may disable other functionality. For example, denying the App Store app may prevent users from accepting the terms and conditions for the user-based Volume Purchase Program (VPP).",
                        "item": {
                            "help": "String containing an identifier to match an app.",
                            "required": True,
                            "type": "string",
                        },
                        "title": "Denied apps",
                        "type": "array",
                    },
                    "DeniedBinaries": {
                        "help": "If present, the device doesn't allow binaries that match the binary identifier properties to run. A binary only matches when all the binary identifiers match.",
                        "item": {
                            "help": "Dictionary containing one or more identifier fields to match a binary.",
                            "keys": {
                                "CDHash": {
                                    "help": "The 40 character code signature code directory hash of the binary.",
                                    "title": "Code directory hash",
                                    "type": "string",
                                },
                                "PathPrefix": {
                                    "help": "The file system path prefix to match binaries.",
                                    "title": "Path prefix",
                                    "type": "string",
                                },
                                "SigningID": {
                                    "help": "The code signature signing identifier of the binary.",
                                    "title": "Signing ID",
                                    "type": "string",
                                },
                                "SigningState": {
                                    "default": "All",
                                    "help": "The code signing state to match binaries.",
                                    "range": [
                                        "All",
                                        "TestFlight",
                                        "DeveloperID",
                                        "Enterprise",
                                        "AppStore",
                                        "Apple",
                                    ],
                                    "title": "Signing state",
                                    "type": "string",
                                },
                                "TeamID": {
                                    "help": "The code signature team identifier of the binary. Use the value '\\*APPLE\\*' instead of an empty string for Apple binaries with an empty team identifier.",
                                    "title": "Team ID",
                                    "type": "string",
                                },
                            },
                            "required": True,
                            "title": "Binary identifier",
                            "type": "dictionary",
                        },
                        "title": "Denied binaries",
                        "type": "array",
                    },
                },
                "title": "Allowed apps",
                "type": "dictionary",
            },
            "Privacy": {
                "help": "The dictionary of app settings.",
                "keys": {
                    "PermissionDefaults": {
                        "free": True,
                        "help": "The dictionary of app privacy permission defaults. Each key in the dictionary is an app identifier. The dictionary values represent the permission defaults that the device applies for each matching app. In iOS, the app identifier is a bundle ID, for example, 'com.example.app'. In macOS, the app identifier is a composed identifier. The format of the composed identifier is 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identifier string of the app. 'Designated-Requirement' is the designated requirement string the device uses to match the code signature of the app. For example, …",
                        "title": "App privacy permission defaults",
                        "type": "dictionary",
                    },
                },
                "title": "App privacy",
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "visionOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "App:Settings",
    },
    "com.apple.configuration.audio-accessory.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "The declaration to configure audio accessory settings.",
        "file": "declarative/declarations/configurations/audio-accessory.settings.yaml",
        "keys": {
            "TemporaryPairing": {
                "help": "A dictionary that describes audio accessory temporary pairing behavior. The device enables temporary pairing when this key is present and the `Disabled` key isn't `false`. The device doesn't synchronize pairing information with iCloud when temporary pairing is active.",
                "keys": {
                    "Configuration": {
                        "help": "A dictionary providing configuration for temporary pairing. Required if `Disabled` isn't present or is `false`.",
                        "keys": {
                            "UnpairingTime": {
                                "help": "A dictionary that describes when the device automatically unpairs temporarily paired audio accessories.",
                                "keys": {
                                    "Hour": {
                                        "help": "The local time hour (24-hour clock) when the device automatically unpairs temporarily paired audio accessories. Required when setting the `Policy` key to `Hour`.",
                                        "max": 23,
                                        "min": 0,
                                        "title": "Hour of Unpairing",
                                        "type": "integer",
                                    },
                                    "Policy": {
                                        "help": "A string that specifies the device's unpairing policy. - `None`: The device doesn't automatically unpair. Use this only with a return to service device that you erase and reenroll when assigning it from one user to another. - `Hour`: The device automatically unpairs temporarily paired audio accessories at the local time that the `Hour` key specifies.",
                                        "range": ["None", "Hour"],
                                        "required": True,
                                        "title": "Unpairing Policy",
                                        "type": "string",
                                    },
                                },
                                "required": True,
                                "title": "Temporary Pairing Unpairing Time",
                                "type": "dictionary",
                            },
                        },
                        "title": "Temporary Pairing Configuration",
                        "type": "dictionary",
                    },
                    "Disabled": {
                        "default": False,
                        "help": "If `true`, temporary pairing of audio accessories is disabled.",
                        "title": "Temporary Pairing Disabled",
                        "type": "boolean",
                    },
                },
                "title": "Temporary Pairing",
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Audio Accessory:Settings",
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
    "com.apple.configuration.extensible-sso": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure Extensible Single Sign-On.",
        "file": "declarative/declarations/configurations/extensible-sso.yaml",
        "keys": {
            "DeniedBundleIdentifiers": {
                "help": "An array of bundle identifiers of apps that don't use SSO provided by this extension.",
                "item": {
                    "help": "The bundle identifier of the app.",
                    "required": True,
                    "type": "string",
                },
                "title": "Denied bundle identifiers",
                "type": "array",
            },
            "ExtensionComposedIdentifier": {
                "help": "The identifier of the provider to use for this configuration. Useful for apps that contain more than one DNS proxy extension. In iOS and visionOS, the identifier is a bundle ID, for example, 'com.example.app.sso-extension'. In macOS, the identifier is a composed identifier. The format of the composed identifier is 'Bundle-ID (Team-ID)'. 'Bundle-ID' is the bundle identifier string of the app extension. 'Team-ID' is the team identifier from the app extension's code signature. For example, 'com.example.app.sso-extension (ABCD1234)'.",
                "required": True,
                "title": "Extension composed identifier",
                "type": "string",
            },
            "ExtensionData": {
                "free": True,
                "help": "A dictionary of arbitrary data passed through to the app extension.",
                "title": "Extension data",
                "type": "dictionary",
            },
            "Hosts": {
                "help": "An array of host or domain names that apps can authenticate through the app extension. Required for `Credential` payloads. Ignored for `Redirect` payloads. The system: - Matches host or domain names case-insensitively - Requires that all the host and domain names of all installed Extensible SSO payloads are unique > Note: > Host names that begin with a '.' are wildcard suffixes that match all subdomains; otherwise the host name needs be an exact match.",
                "item": {
                    "help": "A host or domain name, with or without a leading dot.",
                    "required": True,
                    "type": "string",
                },
                "title": "Hosts",
                "type": "array",
            },
            "PlatformSSO": {
                "help": "The dictionary to configure Platform SSO.",
                "keys": {
                    "AccessKey": {
                        "help": "Settings for Access Key authentication.",
                        "keys": {
                            "AllowExpressMode": {
                                "default": False,
                                "help": "If `true`, the system uses the access key in express mode, and doesn't require authentication before use.",
                                "title": "Allow express mode",
                                "type": "boolean",
                            },
                            "ReaderGroupIdentifier": {
                                "help": "The reader group identifier for use with the `AccessKey`. The value needs to match the configured access key. Required if `UserCreation.AuthenticationMethods` contains `AccessKey`.",
                                "title": "Reader group identifier",
                                "type": "data",
                            },
                            "ReaderIssuerCertificateAssetReference": {
                                "help": "The identifier of an asset declaration that contains the certificate for the issuer certificate of the `Terminal` identity of the access key. Other specifications refer to the key as the 'Reader CA Public Key'. The key must be an elliptic curve key. Required if `UserCreation.AuthenticationMethods` includes `AccessKey`. The issuer of the Terminal identity of the access key needs to match this certificate, otherwise the device fails the authentication.",
                                "title": "Reader issuer certificate asset reference",
                                "type": "string",
                            },
                            "TerminalIdentityAssetReference": {
                                "help": "The identifier of an asset declaration that contains the identity to use as the Terminal identity of the Access Key. The Access Key needs to trust the identity. Required if `UserCreation.AuthenticationMethods` includes `AccessKey`.",
                                "title": "Terminal identity asset reference",
                                "type": "string",
                            },
                        },
                        "title": "Access key",
                        "type": "dictionary",
                    },
                    "Account": {
                        "help": "Account display and profile settings.",
                        "keys": {
                            "DisplayName": {
                                "help": "The display name for the account in notifications and authentication requests.",
                                "title": "Display name",
                                "type": "string",
                            },
                            "SynchronizeProfilePicture": {
                                "default": False,
                                "help": "If `true`, the system requests the user's profile picture from the SSO extension.",
                                "title": "Synchronize profile picture",
                                "type": "boolean",
                            },
                        },
                        "title": "Account",
                        "type": "dictionary",
                    },
                    "AllowDeviceIdentifiersInAttestation": {
                        "default": False,
                        "help": "If `true`, the system includes the device UDID and serial number in Platform SSO attestations.",
                        "title": "Allow device identifiers in attestation",
                        "type": "boolean",
                    },
                    "AuthenticationMethod": {
                        "help": "The Platform SSO authentication method to use with the extension. Requires that the SSO Extension also support the method.",
                        "range": ["Password", "UserSecureEnclaveKey", "SmartCard", "OpenID"],
                        "title": "Authentication method",
                        "type": "string",
                    },
                    "Authorization": {
                        "help": "Settings for authorization prompts and group management.",
                        "keys": {
                            "AdditionalGroups": {
                                "help": "The list of created groups that don't have administrator access.",
                                "item": {"help": "The group name.", "type": "string"},
                                "title": "Additional groups",
                                "type": "array",
                            },
                            "AdministratorGroups": {
                                "help": "The list of groups to use for administrator access. The system requests membership during authentication.",
                                "item": {"help": "The group name.", "type": "string"},
                                "title": "Administrator groups",
                                "type": "array",
                            },
                            "AuthorizationGroups": {
                                "free": True,
                                "help": "The pairing of Authorization Rights to group names. When using this, the system updates the Authorization Right to use the group.",
                                "title": "Authorization groups",
                                "type": "dictionary",
                            },
                            "EnableIdentityProviderAccounts": {
                                "default": False,
                                "help": "Enables using identity provider accounts at authorization prompts. Requires that `UseSharedDeviceKeys` is `true`. The system assigns groups using `AdministratorGroups`, `AdditionalGroups`, or `AuthorizationGroups`.",
                                "title": "Enable identity provider accounts",
                                "type": "boolean",
                            },
                            "UserAuthorizationMode": {
                                "help": "The permission to apply to an account each time the user authenticates. Allowed values: * `Standard`: The account is a standard user. * `Admin`: The system adds the account to the local administrators group. * `Groups`: The system assigns group to the account using `AdministratorGroups`, `AdditionalGroups`, or `AuthorizationGroups`.",
                                "range": ["Standard", "Admin", "Groups"],
                                "title": "User authorization mode",
                                "type": "string",
                            },
                        },
                        "title": "Authorization",
                        "type": "dictionary",
                    },
                    "LoginFrequency": {
                        "default": 64800,
                        "help": "The duration, in seconds, until the system requires a full login instead of a refresh. The default value is 64,800 (18 hours). The minimum value is 3600 (1 hour).",
                        "min": 3600,
                        "title": "Login frequency",
                        "type": "integer",
                    },
                    "Policies": {
                        "help": "Policies for login, unlock, and FileVault behavior.",
                        "keys": {
                            "AuthenticationGracePeriod": {
                                "help": "The amount of time after receiving or updating a `Policies.FileVault`, `Policies.Login`, or `Policies.Unlock` that the system can use unregistered local accounts. Required when `AllowAuthenticationGracePeriod` is set.",
                                "title": "Authentication grace period",
                                "type": "integer",
                            },
                            "FileVault": {
                                "help": "The policy to apply when using Platform SSO at FileVault unlock on a Mac with Apple silicon. Applies when `AuthenticationMethod` is `Password`. * `AttemptAuthentication`: The device attempts Platform SSO authentication before proceeding. If offline, unlock continues if the local account password matches. If online and the credential is incorrect, then the device requires a successful Platform SSO authentication is required, even if taken offline. * `RequireAuthentication`: The device requires Platform SSO authentication before proceeding. If the device is offline and `AllowOfflineGracePeriod`…",
                                "item": {
                                    "help": "The policy to apply.",
                                    "range": [
                                        "AttemptAuthentication",
                                        "RequireAuthentication",
                                        "AllowOfflineGracePeriod",
                                        "AllowAuthenticationGracePeriod",
                                        "RequireTouchID",
                                        "RequireTouchIDOrWatch",
                                        "AllowOpenIDForTouchIDFallback",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "title": "FileVault",
                                "type": "array",
                            },
                            "Login": {
                                "help": "The policy to apply when using Platform SSO at the Login Window. Applies when `AuthenticationMethod` is `Password`. * `AttemptAuthentication`: The device attempts Platform SSO authentication before proceeding. If offline, login continues if the local account password matches. If online and the credential is incorrect, then the device requires a successful Platform SSO authentication to proceed, even if taken offline. * `RequireAuthentication`: The device requires Platform SSO authentication before proceeding. If the device is offline and `AllowOfflineGracePeriod` is enabled, then the device u…",
                                "item": {
                                    "help": "The policy to apply.",
                                    "range": [
                                        "AttemptAuthentication",
                                        "RequireAuthentication",
                                        "AllowOfflineGracePeriod",
                                        "AllowAuthenticationGracePeriod",
                                        "RequireTouchID",
                                        "RequireTouchIDOrWatch",
                                        "AllowOpenIDForTouchIDFallback",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "title": "Login",
                                "type": "array",
                            },
                            "NonPlatformSSOAccounts": {
                                "help": "The list of local accounts that aren't subject to the `Policies.FileVault`, `Policies.Login`, or `Policies.Unlock` policies. The accounts don't receive a prompt to register for Platform SSO.",
                                "item": {
                                    "help": "A local account username.",
                                    "required": True,
                                    "type": "string",
                                },
                                "title": "Non-platform SSO accounts",
                                "type": "array",
                            },
                            "OfflineGracePeriod": {
                                "help": "The amount of time after the last successful Platform SSO login for using a local account password offline. Required when setting `AllowOfflineGracePeriod`.",
                                "title": "Offline grace period",
                                "type": "integer",
                            },
                            "Unlock": {
                                "help": "The policy to apply when using Platform SSO at screensaver unlock. Applies when `AuthenticationMethod` is `Password`. later. * `AttemptAuthentication`: The device attempts Platform SSO authentication before proceeding. If offline, unlock will continue if the local account password matches. If online and the credential is incorrect, then the device requires a successful Platform SSO authentication to proceed, even if taken offline. * `RequireAuthentication`: The device requires Platform SSO authentication before proceeding. If the device is offline and `AllowOfflineGracePeriod` is enabled, the…",
                                "item": {
                                    "help": "The policy to apply.",
                                    "range": [
                                        "AttemptAuthentication",
                                        "RequireAuthentication",
                                        "AllowOfflineGracePeriod",
                                        "AllowAuthenticationGracePeriod",
                                        "AllowTouchIDOrWatchForUnlock",
                                        "RequireTouchID",
                                        "RequireTouchIDOrWatch",
                                        "AllowOpenIDForTouchIDFallback",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "title": "Unlock",
                                "type": "array",
                            },
                        },
                        "title": "Policies",
                        "type": "dictionary",
                    },
                    "RegistrationToken": {
                        "help": "The token this device uses for registration with Platform SSO. Use it for silent registration with the Identity Provider. Requires that `AuthenticationMethod` in `PlatformSSO` isn't empty.",
                        "title": "Registration token",
                        "type": "string",
                    },
                    "UseSharedDeviceKeys": {
                        "default": False,
                        "help": "If `true`, the system uses the same signing and encryption keys for all users.",
                        "title": "Use shared device keys",
                        "type": "boolean",
                    },
                    "UserCreation": {
                        "help": "Settings for creating new users via Platform SSO.",
                        "keys": {
                            "EnableAtLogin": {
                                "default": False,
                                "help": "Enables creating users at the Login Window with an `AuthenticationMethod` of either `Password` or `SmartCard`. Requires that `UseSharedDeviceKeys` is `true`.",
                                "title": "Enable at login",
                                "type": "boolean",
                            },
                            "EnableFirstUserDuringSetup": {
                                "default": True,
                                "help": "If `true`, the device uses Platform SSO to create the first user account on the Mac during `Setup Assistant`.",
                                "title": "Enable first user during setup",
                                "type": "boolean",
                            },
                            "EnableRegistrationDuringSetup": {
                                "default": False,
                                "help": "If `true`, the system enables the PlatformSSO registration process during Setup Assistant on devices running macOS 26 and later. Set this key to `true` when configuring PlatformSSO before enrollment using the `com.apple.psso.required` error response.",
                                "title": "Enable registration during setup",
                                "type": "boolean",
                            },
                            "NewUserAuthenticationMethods": {
                                "help": "The set of authentication methods to use for newly created accounts at login or during `Setup Assistant`. The system uses `Password` and `SmartCard` if this key isn't present.",
                                "item": {
                                    "help": "An authentication method to use for newly created accounts at login or during `Setup Assistant`. Allowed values: * `Password`: The account uses a password for authentication. * `SmartCard`: The account uses a smart card for authentication. * `AccessKey`: The account uses an access key for authentication. * `OpenID`: The account uses OpenID for authentication.",
                                    "range": ["Password", "SmartCard", "AccessKey", "OpenID"],
                                    "type": "string",
                                },
                                "title": "New user authentication methods",
                                "type": "array",
                            },
                            "NewUserAuthorizationMode": {
                                "help": "The permission to apply to newly created accounts at login. Allowed values: * `Standard`: The account is a standard user. * `Admin`: The system adds the account to the local administrators group. * `Groups`: The system assigns groups to the account using `Authorization.AdministratorGroups`, `Authorization.AdditionalGroups`, or `Authorization.AuthorizationGroups`. * `Temporary`: The system uses a temporary session configuration for newly created accounts at login.",
                                "range": ["Standard", "Admin", "Groups", "Temporary"],
                                "title": "New user authorization mode",
                                "type": "string",
                            },
                            "TemporarySessionQuickLogin": {
                                "default": False,
                                "help": "If `true`, the system uses a quicker Authenticated Guest Mode login to Mac behavior. The system erases user data from only select locations in the user home directory after each session completes. Once every eight hours the system erases the full user home directory after a session completes. Turn this on for shared environments that have a high frequency of short sessions.",
                                "title": "Temporary session quick login",
                                "type": "boolean",
                            },
                            "TokenToUserMapping": {
                                "help": "The attribute mapping to use when creating users, or for authorization.",
                                "keys": {
                                    "AccountName": {
                                        "help": "The claim name to use for the user's account name.",
                                        "title": "Account name",
                                        "type": "string",
                                    },
                                    "FullName": {
                                        "help": "The claim name to use for the user's full name.",
                                        "title": "Full name",
                                        "type": "string",
                                    },
                                },
                                "title": "Token to user mapping",
                                "type": "dictionary",
                            },
                        },
                        "title": "User creation",
                        "type": "dictionary",
                    },
                    "WebAuthentication": {
                        "help": "Settings for web authentication behavior.",
                        "keys": {
                            "AllowPasswordSync": {
                                "default": False,
                                "help": "If `true`, the system detects the password during web authentication and synchronizes it to the local account password for the user.",
                                "title": "Allow password sync",
                                "type": "boolean",
                            },
                            "URLAllowList": {
                                "help": "The set of allowed hosts that the system can load in the PSSO web view. Required if `AuthenticationMethod` is set to `OpenID`, or `UserCreation.AuthenticationMethods` contains `OpenID`.",
                                "item": {"help": "A host or host prefix.", "type": "string"},
                                "title": "URL allow list",
                                "type": "array",
                            },
                        },
                        "title": "Web authentication",
                        "type": "dictionary",
                    },
                },
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Platform SSO",
                "type": "dictionary",
            },
            "Realm": {
                "help": "The realm name for `Credential` payloads. Use proper capitalization for this value. Ignored for `Redirect` payloads.",
                "title": "Realm",
                "type": "string",
            },
            "ScreenLockedBehavior": {
                "default": "Cancel",
                "help": "If set to `Cancel`, the system cancels authentication requests when the screen is locked. If set to `DoNotHandle`, the request continues without SSO instead. This doesn't apply to requests where `userInterfaceEnabled` is `false`, or for background `URLSession` requests.",
                "range": ["Cancel", "DoNotHandle"],
                "title": "Screen locked behavior",
                "type": "string",
            },
            "Type": {
                "help": "The type of SSO.",
                "range": ["Credential", "Redirect"],
                "required": True,
                "title": "Type",
                "type": "string",
            },
            "URLs": {
                "help": "An array of URL prefixes of identity providers where the app extension performs SSO. Required for `Redirect` payloads. Ignored for `Credential` payloads. The URLs need to begin with `http://` or `https://`. The system: - Matches scheme and host name case-insensitively - Doesn't allow query parameters and URL fragments - Requires that the URLs of all installed Extensible SSO payloads are unique",
                "item": {
                    "help": "An http or https URL prefix.",
                    "required": True,
                    "type": "string",
                },
                "title": "URLs",
                "type": "array",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Extensible SSO",
    },
    "com.apple.configuration.intelligence.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "The declaration to configure Apple Intelligence settings.",
        "file": "declarative/declarations/configurations/intelligence.settings.yaml",
        "keys": {
            "AllowAppleIntelligenceReport": {
                "default": True,
                "help": "If `false`, disables Apple Intelligence Report.",
                "title": "Allow Apple Intelligence Report",
                "type": "boolean",
            },
            "AllowGenmoji": {
                "default": True,
                "help": "If `false`, disables Genmoji.",
                "title": "Allow Genmoji",
                "type": "boolean",
            },
            "AllowImagePlayground": {
                "default": True,
                "help": "If `false`, disables Image Playground.",
                "title": "Allow Image Playground",
                "type": "boolean",
            },
            "AllowImageWand": {
                "default": True,
                "help": "If `false`, disables Image Wand.",
                "title": "Allow Image Wand",
                "type": "boolean",
            },
            "AllowPersonalizedHandwritingResults": {
                "default": True,
                "help": "If `false`, disables Personalized Handwriting Results.",
                "title": "Allow Personalized Handwriting Results",
                "type": "boolean",
            },
            "AllowVisualIntelligenceSummary": {
                "default": True,
                "help": "If `false`, disables Visual Intelligence Summary.",
                "title": "Allow Visual Intelligence Summary",
                "type": "boolean",
            },
            "AllowWritingTools": {
                "default": True,
                "help": "If `false`, disables Writing Tools.",
                "title": "Allow Writing Tools",
                "type": "boolean",
            },
            "Apps": {
                "help": "If present, configures app-specific Intelligence features.",
                "keys": {
                    "Calendar": {
                        "help": "If present, configures Calendar and Reminders Intelligence features.",
                        "keys": {
                            "AllowNaturalLanguageEditing": {
                                "default": True,
                                "help": "If `false`, disables Natural Language Editing in Calendar and Reminders.",
                                "title": "Allow Natural Language Editing",
                                "type": "boolean",
                            },
                        },
                        "title": "Calendar",
                        "type": "dictionary",
                    },
                    "Mail": {
                        "help": "If present, configures Mail Intelligence features.",
                        "keys": {
                            "AllowSmartReplies": {
                                "default": True,
                                "help": "If `false`, disables Mail Smart Replies.",
                                "title": "Allow Smart Replies",
                                "type": "boolean",
                            },
                            "AllowSummary": {
                                "default": True,
                                "help": "If `false`, disables Mail Summary.",
                                "title": "Allow Summary",
                                "type": "boolean",
                            },
                        },
                        "title": "Mail",
                        "type": "dictionary",
                    },
                    "Notes": {
                        "help": "If present, configures Notes Intelligence features.",
                        "keys": {
                            "AllowTranscription": {
                                "default": True,
                                "help": "If `false`, disables Notes Transcription.",
                                "title": "Allow Transcription",
                                "type": "boolean",
                            },
                            "AllowTranscriptionSummary": {
                                "default": True,
                                "help": "If `false`, disables Notes Transcription Summary.",
                                "title": "Allow Transcription Summary",
                                "type": "boolean",
                            },
                        },
                        "title": "Notes",
                        "type": "dictionary",
                    },
                    "Safari": {
                        "help": "If present, configures Safari intelligence features.",
                        "keys": {
                            "AllowSummary": {
                                "default": True,
                                "help": "If `false`, disables Safari Summary.",
                                "title": "Allow Summary",
                                "type": "boolean",
                            },
                        },
                        "title": "Safari",
                        "type": "dictionary",
                    },
                },
                "title": "Apps",
                "type": "dictionary",
            },
            "ForceOnDeviceOnlyDictation": {
                "default": False,
                "help": "If `true`, forces On-Device Only Dictation.",
                "title": "Force On-Device Only Dictation",
                "type": "boolean",
            },
            "ForceOnDeviceOnlyTranslation": {
                "default": False,
                "help": "If `true`, forces On-Device Only Translation.",
                "title": "Force On-Device Only Translation",
                "type": "boolean",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"enrollments": ["supervised"], "introduced": "26.4", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "Intelligence Settings",
    },
    "com.apple.configuration.legacy": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure a legacy profile.",
        "file": "declarative/declarations/configurations/legacy.yaml",
        "keys": {
            "ProfileURL": {
                "help": "The URL of the profile to download and install, which needs to start with `https://`, and must be hosted by the MDM server. If a user enrollment triggers this configuration, the system silently ignores any MDMv1 payloads in macOS where the User Enrollment Mode setting is `forbidden`. In iOS, the system rejects the entire profile.",
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
                "sharedipad_scopes": ["system", "user"],
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
        "description": "The declaration to configure an interactive legacy profile.",
        "file": "declarative/declarations/configurations/legacy.interactive.yaml",
        "keys": {
            "ProfileURL": {
                "help": "The URL of the profile to download and install, which needs to start with `https://`, and must be hosted by the MDM server. If a user enrollment triggers this configuration, the system silently ignores any MDMv1 payloads in macOS that are forbidden with user enrollment. In iOS, the system rejects the entire profile.",
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
                "sharedipad_scopes": [],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
        "description": "The declaration to configure the math and calculator apps.",
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
                                "title": "Add square root",
                                "type": "boolean",
                            },
                        },
                        "title": "Basic mode",
                        "type": "dictionary",
                    },
                    "InputModes": {
                        "help": "If present, controls global input options of the calculator. If not present, all input modes are enabled.",
                        "keys": {
                            "RPN": {
                                "help": "Configures whether RPN input is enabled.",
                                "required": True,
                                "title": "RPN",
                                "type": "boolean",
                            },
                            "UnitConversion": {
                                "help": "Configures whether unit conversions are enabled.",
                                "required": True,
                                "title": "Unit conversion",
                                "type": "boolean",
                            },
                        },
                        "title": "Input modes",
                        "type": "dictionary",
                    },
                    "MathNotesMode": {
                        "help": "If present, configures the Math Notes mode of the calculator. If not present, Math Notes mode is enabled.",
                        "keys": {
                            "Enabled": {
                                "help": "Controls whether the mode is enabled.",
                                "required": True,
                                "title": "Enabled",
                                "type": "boolean",
                            },
                        },
                        "title": "Math notes mode",
                        "type": "dictionary",
                    },
                    "ProgrammerMode": {
                        "help": "If present, configures the programmer mode of the calculator. If not present, programmer mode is enabled.",
                        "keys": {
                            "Enabled": {
                                "help": "Controls whether the mode is enabled.",
                                "required": True,
                                "title": "Enabled",
                                "type": "boolean",
                            },
                        },
                        "title": "Programmer mode",
                        "type": "dictionary",
                    },
                    "ScientificMode": {
                        "help": "If present, configures the scientific mode of the calculator. If not present, scientific mode is enabled.",
                        "keys": {
                            "Enabled": {
                                "help": "Controls whether the mode is enabled.",
                                "required": True,
                                "title": "Enabled",
                                "type": "boolean",
                            },
                        },
                        "title": "Scientific mode",
                        "type": "dictionary",
                    },
                },
                "title": "Calculator",
                "type": "dictionary",
            },
            "SystemBehavior": {
                "help": "If present, configures math behavior in the system.",
                "keys": {
                    "KeyboardSuggestions": {
                        "help": "Controls whether keyboard suggestions include math solutions. This key is also supported by the keyboard.settings configuration.",
                        "required": True,
                        "title": "Keyboard suggestions",
                        "type": "boolean",
                    },
                    "MathNotes": {
                        "help": "Controls whether Math Notes is allowed in other apps such as Notes.",
                        "required": True,
                        "title": "Math notes",
                        "type": "boolean",
                    },
                },
                "title": "System behavior",
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Math Settings",
    },
    "com.apple.configuration.network.dns-proxy": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure DNS proxy settings.",
        "file": "declarative/declarations/configurations/network.dns-proxy.yaml",
        "keys": {
            "AppBundleIdentifier": {
                "help": "The bundle identifier of the app containing the DNS proxy network extension.",
                "required": True,
                "title": "App bundle identifier",
                "type": "string",
            },
            "DNSProxyUUID": {
                "help": "A globally unique identifier for this DNS proxy configuration. The proxy processes DNS lookups traffic for managed apps with the same `DNSProxyUUID` in their app attributes. This key is required for user enrollment.",
                "title": "DNS proxy UUID",
                "type": "string",
                "ue_required": True,
            },
            "ProviderComposedIdentifier": {
                "help": "The identifier of the provider to use for this configuration. Useful for apps that contain more than one DNS proxy extension. In iOS and visionOS, the identifier is a bundle ID, for example, 'com.example.app'. In macOS, the identifier is a composed identifier. The format of the composed identifier is either 'Bundle-ID' or 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identifier string of the provider. 'Designated-Requirement' is the designated requirement string from the code signature of the provider. For example, 'com.example.app' for the bundle ID format, or 'com.example.…",
                "title": "Provider composed identifier",
                "type": "string",
            },
            "ProviderConfiguration": {
                "free": True,
                "help": "The dictionary of vendor-specific configuration items.",
                "title": "Provider configuration",
                "type": "dictionary",
            },
            "VisibleName": {
                "help": "The name of the DNS proxy configuration that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:DNS Proxy",
    },
    "com.apple.configuration.network.dns-settings": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure encrypted DNS settings.",
        "file": "declarative/declarations/configurations/network.dns-settings.yaml",
        "keys": {
            "DNSSettings": {
                "help": "A dictionary that defines a configuration for an encrypted DNS server.",
                "keys": {
                    "AllowFailover": {
                        "default": False,
                        "help": "If `true`, the device allows failover to the default system DNS resolver.",
                        "title": "Allow failover",
                        "type": "boolean",
                    },
                    "DNSProtocol": {
                        "help": "The encrypted transport protocol used to communicate with the DNS server.",
                        "range": ["HTTPS", "TLS"],
                        "required": True,
                        "title": "DNS protocol",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "Specifies the identifier of an asset declaration containing an identity that the system uses to authenticate the user to the DNS resolver.",
                        "title": "Certificate identity asset reference",
                        "type": "string",
                    },
                    "ServerAddresses": {
                        "help": "An unordered list of DNS server IP address strings. These IP addresses can be a mixture of IPv4 and IPv6 addresses.",
                        "item": {"title": "Server address element", "type": "string"},
                        "title": "DNS server addresses",
                        "type": "array",
                    },
                    "ServerName": {
                        "help": "The hostname of a DNS-over-TLS server used to validate the server certificate, as defined in RFC 7858. If no `ServerAddresses` are provided, the system uses the hostname to determine the server addresses. This key must be present only if the DNSProtocol is `TLS`.",
                        "title": "Server name",
                        "type": "string",
                    },
                    "ServerURL": {
                        "help": "The URI template of a DNS-over-HTTPS server, as defined in RFC 8484. This URL needs to use the `https://` scheme, and the system uses the hostname or address in the URL to validate the server certificate. If no `ServerAddresses` are provided, the system uses the hostname or address in the URL to determine the server addresses. Required if `DNSProtocol` is `HTTPS`.",
                        "title": "Server URL",
                        "type": "string",
                    },
                    "SupplementalMatchDomains": {
                        "help": "A list of domain strings used to determine which DNS queries use the DNS server. If not set, all domains use the DNS server. The system supports a single wildcard (`*`) prefix, but it's not required. For example, both `*.example.com` and `example.com` match against `mydomain.example.com` and `your.domain.example.com`, but don't match against `mydomain-example.com`.",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                },
                "required": True,
                "title": "DNS settings",
                "type": "dictionary",
            },
            "OnDemandRules": {
                "help": "An array of rules that define the DNS settings. If not set, the system always applies the DNS settings. These rules are identical to the `OnDemandRules` array in VPN payloads.",
                "item": {
                    "keys": {
                        "Action": {
                            "help": "The action to take if this dictionary matches the current network. Allowed values: - `Connect`: Apply DNS Settings when the dictionary matches. - `Disconnect`: Don't apply DNS Settings when the dictionary matches. - `EvaluateConnection`: Apply DNS Settings with per-domain exceptions when the dictionary matches.",
                            "range": ["Connect", "Disconnect", "EvaluateConnection"],
                            "required": True,
                            "title": "On demand action",
                            "type": "string",
                        },
                        "ActionParameters": {
                            "help": "An array of dictionaries that provide per-connection rules. The system uses this array only for settings where the `Action` value is `EvaluateConnection`.",
                            "item": {
                                "help": "A dictionary that provides per-connection rules. The keys allowed in each dictionary are described below. Note: This array is only for dictionaries in which `EvaluateConnection` is the `Action` value.",
                                "keys": {
                                    "DomainAction": {
                                        "help": "The DNS settings behavior for the specified domains. Allowed values: * 'NeverConnect': Don't use the DNS Settings for the specified domains. * 'ConnectIfNeeded': Allow using the DNS Settings for the specified domains.",
                                        "range": ["NeverConnect", "ConnectIfNeeded"],
                                        "required": True,
                                        "title": "Domain action",
                                        "type": "string",
                                    },
                                    "Domains": {
                                        "help": "The domains for which this evaluation applies.",
                                        "item": {"title": "Domains element", "type": "string"},
                                        "required": True,
                                        "title": "Domains",
                                        "type": "array",
                                    },
                                },
                                "title": "Action parameter",
                                "type": "dictionary",
                            },
                            "title": "Action parameters",
                            "type": "array",
                        },
                        "DNSDomainMatch": {
                            "help": "An array of domain names. This rule matches if any of the domain names in the specified list matches any domain in the device's search domains list. The system supports a single wildcard (`*`) prefix, but it's not required. For example, both `*.example.com` and `example.com` match against `mydomain.example.com` and `your.domain.example.com`, but don't match against `mydomain-example.com`.",
                            "item": {"title": "DNS domain match element", "type": "string"},
                            "title": "DNS domain match",
                            "type": "array",
                        },
                        "DNSServerAddressMatch": {
                            "help": "An array of IP addresses. This rule matches if any of the network's specified DNS servers match any entry in the array. The system supports matching with a single wildcard. For example, `17.*` matches any DNS server in the 17.0.0.0/8 subnet.",
                            "item": {"title": "DNS server address match element", "type": "string"},
                            "title": "DNS server address match",
                            "type": "array",
                        },
                        "InterfaceTypeMatch": {
                            "help": "An interface type. If specified, this rule matches only if the primary network interface hardware matches the specified type.",
                            "range": ["Ethernet", "WiFi", "Cellular"],
                            "title": "Interface type match",
                            "type": "string",
                        },
                        "SSIDMatch": {
                            "help": "An array of SSIDs to match against the current network. If the network isn't a Wi-Fi network or if the SSID doesn't appear in this array, the match fails. Omit this key and the corresponding array to match against any SSID.",
                            "item": {"title": "SSID match element", "type": "string"},
                            "title": "SSID match",
                            "type": "array",
                        },
                        "URLStringProbe": {
                            "help": "A URL to probe. This rule matches if this URL is successfully fetched and returns a 200 HTTP status code without redirection.",
                            "title": "URL string probe",
                            "type": "string",
                        },
                    },
                    "title": "On demand rules element",
                    "type": "dictionary",
                },
                "title": "On demand rules",
                "type": "array",
            },
            "ProhibitDisablement": {
                "default": False,
                "help": "If `true`, the system prohibits users from disabling DNS settings.",
                "title": "Prohibit disablement",
                "type": "boolean",
            },
            "VisibleName": {
                "help": "The name of the DNS settings that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:DNS Settings",
    },
    "com.apple.configuration.network.relay": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure Network Relay settings.",
        "file": "declarative/declarations/configurations/network.relay.yaml",
        "keys": {
            "AllowDNSFailover": {
                "default": False,
                "help": "If `true`, the device allows the relay to failover to the default system DNS resolver.",
                "title": "Allow DNS failover",
                "type": "boolean",
            },
            "ExcludedDomains": {
                "help": "A list of domain strings to exclude from routing through the servers in `Relays`. Any connection that matches a domain in the list exactly or is a subdomain of the listed domain won't use the relay server.",
                "item": {"title": "Excluded domains element", "type": "string"},
                "title": "Excluded domains",
                "type": "array",
            },
            "ExcludedFQDNs": {
                "help": "A list of Fully Qualified Domain Names (FQDNs) to exclude from routing through the servers contained in `Relays`. Any connection that matches an FQDN in the list exactly won't use the relay server. When `MatchDomains` is also present, any FQDN listed in the list should be a subdomain of at least one `MatchDomain` value, otherwise it won't have any effect.",
                "item": {"title": "Excluded FQDNs element", "type": "string"},
                "title": "Excluded FQDNs",
                "type": "array",
            },
            "MatchDomains": {
                "help": "A list of domain strings that the system uses to determine which connection to route through the servers in `Relays`. Any connection that matches a domain in the list exactly or is a subdomain of the listed domain uses the relay servers, unless it matches a domain in `ExcludedDomains`. If this list and `MatchFQDNs` are empty, the system routes traffic to all domains to the relay servers, except those that match an excluded domain or excluded FQDN.",
                "item": {"title": "Match domains element", "type": "string"},
                "title": "Match domains",
                "type": "array",
            },
            "MatchFQDNs": {
                "help": "A list of Fully Qualified Domain Names (FQDNs) to route through the servers contained in `Relays`. Any connection that matches an FQDN in the list exactly uses the relay servers. If this list and `MatchDomains` are empty, the system routes traffic to all domains to the relay servers, except those that match an excluded domain or excluded FQDN.",
                "item": {"title": "Match FQDNs element", "type": "string"},
                "title": "Match FQDNs",
                "type": "array",
            },
            "RelayUUID": {
                "help": "A globally unique identifier for this relay configuration. The system uses this UUID to route managed apps through the servers in `Relays`. This key is required for user enrollment.",
                "not_user": {"macOS": "platform"},
                "title": "Relay UUID",
                "type": "string",
                "ue_required": True,
            },
            "Relays": {
                "help": "An array of dictionaries that describe one or more relay servers that the system can chain together.",
                "item": {
                    "keys": {
                        "AdditionalHTTPHeaderFields": {
                            "free": True,
                            "help": "A dictionary that contains custom HTTP header keys and values to add to each request. The dictionary key name represents the HTTP header field name to use, and the dictionary value is the string to use as the HTTP header field value.",
                            "title": "Additional HTTP header fields",
                            "type": "dictionary",
                        },
                        "CredentialAssetReference": {
                            "help": "The identifier of an asset declaration that contains the identity to install.",
                            "title": "Credential asset reference",
                            "type": "string",
                        },
                        "HTTP2RelayURL": {
                            "help": "The URL or URI template, as defined in RFC 9298, of a relay server that's reachable using HTTP/2 and supports proxying TCP and UDP using the CONNECT method. Each relay needs to include either `HTTP2RelayURL` or `HTTP3RelayURL`, or it can include both.",
                            "title": "HTTP/2 relay URL",
                            "type": "string",
                        },
                        "HTTP3RelayURL": {
                            "help": "The URL or URI template, as defined in RFC 9298, of a relay server that's reachable using HTTP/3 and supports proxying TCP and UDP using the CONNECT method. Each relay needs to include either `HTTP2RelayURL` or `HTTP3RelayURL`, or it can include both.",
                            "title": "HTTP/3 relay URL",
                            "type": "string",
                        },
                        "PublicKeyData": {
                            "help": "An array of references to data assets containing DER-encoded public key data that the system uses to authenticate the server during a TLS handshake. The server needs to use one of the keys in the handshake to authenticate. If this array is empty, the system uses the default TLS trust evaluation.",
                            "item": {"title": "Public key asset reference", "type": "string"},
                            "title": "Public keys",
                            "type": "array",
                        },
                    },
                    "title": "Network relay",
                    "type": "dictionary",
                },
                "required": True,
                "title": "Relays",
                "type": "array",
            },
            "UIToggleEnabled": {
                "default": True,
                "help": "If `true`, the device allows the user to disable this network relay configuration.",
                "title": "UI toggle enabled",
                "type": "boolean",
            },
            "VisibleName": {
                "help": "The name of the network relays that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:Relay",
    },
    "com.apple.configuration.network.vpn.always-on": {
        "apply": "single",
        "class": "configuration",
        "description": "The declaration to configure a VPN using the Always On sub-type.",
        "file": "declarative/declarations/configurations/network.vpn.always-on.yaml",
        "keys": {
            "AllowAllCaptiveNetworkPlugins": {
                "default": False,
                "help": "If `true`, allows traffic from all captive networking apps outside the VPN tunnel to perform captive network handling.",
                "title": "Allow all captive network plugins",
                "type": "boolean",
            },
            "AllowCaptiveWebSheet": {
                "default": False,
                "help": "If `true`, allows traffic from Captive Web Sheet outside the VPN tunnel.",
                "title": "Allow captive web sheet",
                "type": "boolean",
            },
            "AllowedCaptiveNetworkPlugins": {
                "help": "The array of captive networking apps whose traffic is allowed outside the VPN tunnel, to perform captive network handling. Used only when `AllowAllCaptiveNetworkPlugins` is `false`.",
                "item": {
                    "keys": {
                        "BundleIdentifier": {
                            "help": "The bundle identifier for the app that's allowed on the captive network.",
                            "required": True,
                            "title": "Bundle identifier",
                            "type": "string",
                        },
                    },
                    "title": "An allowed captive network plugin element",
                    "type": "dictionary",
                },
                "title": "Allowed captive network plugins",
                "type": "array",
            },
            "ApplicationExceptions": {
                "help": "An array that contains an arbitrary number of apps whose connections occur outside the VPN.",
                "item": {
                    "keys": {
                        "BundleIdentifier": {
                            "help": "The app's bundle identifier.",
                            "required": True,
                            "title": "Bundle identifier",
                            "type": "string",
                        },
                        "LimitToProtocols": {
                            "help": "Limit the exception to only the specified list of protocols, with support for `UDP` only.",
                            "item": {
                                "range": ["UDP"],
                                "title": "Limit to protocol element",
                                "type": "string",
                            },
                            "title": "Limit to protocols",
                            "type": "array",
                        },
                    },
                    "title": "A application exception element",
                    "type": "dictionary",
                },
                "title": "Application exceptions",
                "type": "array",
            },
            "DNS": {
                "help": "A dictionary to use for all VPN types.",
                "keys": {
                    "DomainName": {
                        "help": "The primary domain of the tunnel.",
                        "title": "Domain name",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that the system uses to authenticate the user to the DNS resolver.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                    "Protocol": {
                        "help": "The transport protocol to communicate with the DNS server.",
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "title": "DNS protocol",
                        "type": "string",
                    },
                    "SearchDomains": {
                        "help": "The list of domain strings used to fully qualify single-label host names.",
                        "item": {"title": "Search domains element", "type": "string"},
                        "title": "DNS search domains",
                        "type": "array",
                    },
                    "ServerAddresses": {
                        "help": "The array of DNS server IP address strings. These IP addresses can be a mixture of IPv4 and IPv6 addresses.",
                        "item": {"title": "Server address element", "type": "string"},
                        "required": True,
                        "title": "DNS server addresses",
                        "type": "array",
                    },
                    "ServerName": {
                        "help": "The hostname of a DNS-over-TLS server to validate the server certificate, as defined in RFC 7858. If `ServerAddresses` isn't specified, the system uses the hostname to determine the server addresses. This key is required if the `DNSProtocol` is `TLS`.",
                        "title": "Server name",
                        "type": "string",
                    },
                    "ServerURL": {
                        "help": "The URI template of a DNS-over-HTTPS server, as defined in RFC 8484, which needs to use the `https://` scheme. The system uses the hostname or address in the URL to validate the server certificate. If `ServerAddresses` isn't specified, the system uses the hostname or address in the URL to determine the server addresses. This key is required if the `DNSProtocol` is `HTTPS`.",
                        "title": "Server URL",
                        "type": "string",
                    },
                    "SupplementalMatchDomains": {
                        "help": "The list of domain strings used to determine which DNS queries use the DNS resolver settings in `ServerAddresses`. The system uses this key to create a split DNS configuration where it resolves only hosts in certain domains using the tunnel's DNS resolver. The system uses the default resolver for hosts that aren't in one of the domains in this list. If `SupplementalMatchDomains` contains the empty string it becomes the default domain. Split-tunnel configurations can direct all DNS queries to the VPN DNS servers before the primary DNS servers. If the VPN tunnel becomes the network's default ro…",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                    "SupplementalMatchDomainsNoSearch": {
                        "default": False,
                        "help": "If `true`, don't append the domains in the `SupplementalMatchDomains` list to the resolver's list of search domains.",
                        "title": "Supplemental match domains no search",
                        "type": "boolean",
                    },
                },
                "title": "DNS",
                "type": "dictionary",
            },
            "Proxies": {
                "help": "The dictionary to use to configure `Proxies` for use with `VPN`.",
                "keys": {
                    "AutoConfigEnable": {
                        "default": False,
                        "help": "If `true`, enables automatic proxy configuration.",
                        "title": "Proxy auto config enable",
                        "type": "boolean",
                    },
                    "AutoConfigURLString": {
                        "help": "The URL to the location of the proxy auto-configuration file. Used only when `ProxyAutoConfigEnable` is `true`.",
                        "title": "Proxy server URL",
                        "type": "string",
                    },
                    "AutoDiscoveryEnable": {
                        "default": True,
                        "help": "If `true`, enables proxy auto discovery.",
                        "title": "Proxy auto discovery enable",
                        "type": "boolean",
                    },
                    "Protocol": {
                        "help": "The dictionary to use to configure HTTP servers for `Proxies` for use with `VPN`.",
                        "keys": {
                            "CredentialsAssetReference": {
                                "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the proxy server.",
                                "title": "Credentials asset reference",
                                "type": "string",
                            },
                            "HTTP": {
                                "help": "The dictionary to use to configure the HTTP (non-TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTP traffic.",
                                        "title": "Enable HTTP",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTP proxy.",
                                        "title": "HTTP host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTP proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTP port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTP protocol",
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "help": "The dictionary to use to configure the HTTPS (TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTPS traffic.",
                                        "title": "Enable HTTPS",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTPS proxy.",
                                        "title": "HTTPS host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTPS proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTPS port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTPS protocol",
                                "type": "dictionary",
                            },
                        },
                        "title": "Protocol",
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {
                        "help": "An array of domains that defines which hosts use proxy settings for hosts.",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                },
                "title": "Proxies",
                "type": "dictionary",
            },
            "ServiceExceptions": {
                "help": "An array that contains an arbitrary number of service exceptions.",
                "item": {
                    "keys": {
                        "Action": {
                            "help": "The action to take with network connections from the named service.",
                            "range": ["Allow", "Drop"],
                            "required": True,
                            "title": "Action",
                            "type": "string",
                        },
                        "ServiceName": {
                            "help": "The name of a service that's exempt from Always On VPN. `CellularServices` exempts `VoLTE`, `IMS`, `MMS`, and Wi-Fi calling. `DeviceCommunication` exempts network traffic used for communicating with devices connected via USB or Wi-Fi.",
                            "range": [
                                "VoiceMail",
                                "AirPrint",
                                "CellularServices",
                                "DeviceCommunication",
                            ],
                            "required": True,
                            "title": "Service name",
                            "type": "string",
                        },
                    },
                    "title": "A service exception element",
                    "type": "dictionary",
                },
                "title": "Service exceptions",
                "type": "array",
            },
            "TunnelConfigurations": {
                "help": "An array that contains an arbitrary number of tunnel configurations.",
                "item": {
                    "keys": {
                        "IKEV2": {
                            "help": "The IKEv2 configuration for this tunnel.",
                            "keys": {
                                "Authentication": {
                                    "help": "Settings that control authentication.",
                                    "keys": {
                                        "CredentialsAssetReference": {
                                            "help": "The identifier of an asset declaration that contains the credentials (password) to authenticate with the VPN server. Required when `Authentication.Method` is set to `SharedSecret`.",
                                            "title": "Credentials asset reference",
                                            "type": "string",
                                        },
                                        "ExtendedAuth": {
                                            "help": "Specifies details about how the VPN routes different types of network traffic.",
                                            "keys": {
                                                "CredentialsAssetReference": {
                                                    "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the VPN server. Required when `Enabled` is set to `true`. Implies the use of EAP-MSCHAPv2.",
                                                    "title": "Credentials asset reference",
                                                    "type": "string",
                                                },
                                                "Enabled": {
                                                    "default": False,
                                                    "help": "If `true`, enables EAP-only authentication.",
                                                    "title": "Enabled",
                                                    "type": "boolean",
                                                },
                                                "ServerCertificateCommonName": {
                                                    "help": "The common name of the server certificate. The system uses this name to validate the certificate sent by the IKE server. If not set, the system uses the remote identifier to validate the certificate.",
                                                    "title": "Server certificate common name",
                                                    "type": "string",
                                                },
                                                "ServerCertificateIssuerCommonName": {
                                                    "help": "Common Name of the server certificate issuer. If set, this field causes IKE to send a certificate request based on this certificate issuer to the server. This key is required if the `IdentityCertificateType` key is included and the `ExtendedAuth.Enabled` key is `true`.",
                                                    "title": "Server certificate issuer common name",
                                                    "type": "string",
                                                },
                                                "TLSMaximumVersion": {
                                                    "default": "1.2",
                                                    "help": "The maximum TLS version to use with EAP-TLS authentication.",
                                                    "range": ["1.0", "1.1", "1.2", "1.3"],
                                                    "title": "TLS maximum version",
                                                    "type": "string",
                                                },
                                                "TLSMinimumVersion": {
                                                    "default": "1.0",
                                                    "help": "The minimum TLS version to use with EAP-TLS authentication.",
                                                    "range": ["1.0", "1.1", "1.2", "1.3"],
                                                    "title": "TLS minimum version",
                                                    "type": "string",
                                                },
                                            },
                                            "title": "Extended authentication (EAP)",
                                            "type": "dictionary",
                                        },
                                        "IdentityAssetReference": {
                                            "help": "The identifier of a credential asset declaration that contains the identity that this account requires to authenticate with the VPN server. If the value of `AuthenticationMethod` is `Certificate`, the system sends this certificate out for IKEv2 machine authentication. If extended authentication (EAP) is used, the system sends this certificate out for EAP-TLS authentication. Required when `Authentication.Method` is set to `Certificate`.",
                                            "title": "Identity asset reference",
                                            "type": "string",
                                        },
                                        "IdentityCertificateType": {
                                            "default": "RSA",
                                            "help": "The type of key used by the identity set in the `IdentityAssetReference` to use for IKEv2 machine authentication. If this key is included, the system requires a value for `ServerCertificateIssuerCommonName`.",
                                            "range": [
                                                "RSA",
                                                "ECDSA256",
                                                "ECDSA384",
                                                "ECDSA521",
                                                "RSA-PSS",
                                            ],
                                            "title": "Certificate type",
                                            "type": "string",
                                        },
                                        "Method": {
                                            "help": "The type of authentication method for the VPN. To enable EAP-only authentication, set this to `None` and `ExtendedAuthEnabled` to `true`. If this is `None` and the `ExtendedAuthEnabled` key isn't set, the authentication configuration defaults to `SharedSecret`.",
                                            "range": ["None", "SharedSecret", "Certificate"],
                                            "required": True,
                                            "title": "Authentication method",
                                            "type": "string",
                                        },
                                    },
                                    "required": True,
                                    "title": "Authentication details",
                                    "type": "dictionary",
                                },
                                "ChildSecurityAssociationParameters": {
                                    "help": "The `ChildSecurityAssociationParameters` dictionaries.",
                                    "keys": {
                                        "DiffieHellmanGroup": {
                                            "default": 14,
                                            "help": "The Diffie-Hellman group. For `AlwaysOn` VPN, the minimum allowed value is `14`.",
                                            "range": [
                                                "14",
                                                "15",
                                                "16",
                                                "17",
                                                "18",
                                                "19",
                                                "20",
                                                "21",
                                                "31",
                                                "32",
                                            ],
                                            "title": "Diffie hellman group",
                                            "type": "integer",
                                        },
                                        "EncryptionAlgorithm": {
                                            "default": "AES-256",
                                            "help": "The encryption algorithm. In tvOS the default value is `AES-256-GCM`.",
                                            "range": [
                                                "AES-128",
                                                "AES-256",
                                                "AES-128-GCM",
                                                "AES-256-GCM",
                                                "ChaCha20Poly1305",
                                            ],
                                            "title": "Encryption algorithm",
                                            "type": "string",
                                        },
                                        "IntegrityAlgorithm": {
                                            "default": "SHA2-256",
                                            "help": "The integrity algorithm.",
                                            "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                                            "title": "Integrity algorithm",
                                            "type": "string",
                                        },
                                        "LifeTimeInMinutes": {
                                            "default": 1440,
                                            "help": "The SA lifetime (rekey interval) in minutes.",
                                            "max": 1440,
                                            "min": 10,
                                            "title": "Life time in minutes",
                                            "type": "integer",
                                        },
                                        "PostQuantumKeyExchangeMethods": {
                                            "help": "An array of integers representing postquantum key exchange methods the device uses during SA establishment and rekey. You can specify up to seven items, which correspond to ADDKE1 - ADDKE7 from RFC 9370.",
                                            "item": {
                                                "range": ["0", "36", "37"],
                                                "title": "Post-quantum key exchange method",
                                                "type": "integer",
                                            },
                                            "title": "Post-quantum key exchange methods",
                                            "type": "array",
                                        },
                                    },
                                    "title": "Child security association parameters",
                                    "type": "dictionary",
                                },
                                "DisableMOBIKE": {
                                    "default": False,
                                    "help": "If `true`, the system disables MOBIKE.",
                                    "title": "Disable mobility and multihoming",
                                    "type": "boolean",
                                },
                                "DisableRedirect": {
                                    "default": False,
                                    "help": "If `true`, the system disables IKEv2 redirect. If not set, the system redirects an IKEv2 connection when it receives a redirect request from the server.",
                                    "title": "Disable redirect",
                                    "type": "boolean",
                                },
                                "EnableCertificateRevocationCheck": {
                                    "default": False,
                                    "help": "If `true`, the system performs a certificate revocation check for IKEv2 connections. This is a best-effort revocation check and server response timeouts won't cause it to fail.",
                                    "title": "Enable certificate revocation check",
                                    "type": "boolean",
                                },
                                "EnableFallback": {
                                    "default": False,
                                    "help": "If `true`, the system enables a tunnel over cellular data to carry traffic that's eligible for Wi-Fi Assist and also requires VPN. Enabling fallback requires that the server support multiple tunnels for a single user.",
                                    "title": "Enable fallback",
                                    "type": "boolean",
                                },
                                "EnableNATKeepAliveOffload": {
                                    "default": True,
                                    "help": "If `true`, enables NAT keepalive offload for Always On VPN IKEv2 connections. The device sends keepalive packets to maintain NAT mappings for IKEv2 connections that have a NAT on the path. It sends keepalive packets at regular intervals when the device is awake. If `NATKeepAliveOffloadEnable` is `true`, the system offloads keepalive packets to hardware while the device is asleep. NAT keepalive offload has an impact on the battery life due to the extra workload during sleep. The default interval for the keepalive offload packets is 20 seconds over Wi-Fi and 110 seconds over Cellular interface.…",
                                    "title": "Enable NAT keep alive offload",
                                    "type": "boolean",
                                },
                                "EnablePFS": {
                                    "default": False,
                                    "help": "If `true`, enables Perfect Forward Secrecy (PFS) for IKEv2 Connections.",
                                    "title": "Enable perfect forward secrecy",
                                    "type": "boolean",
                                },
                                "EnforceStrictAlgorithmSelection": {
                                    "default": False,
                                    "help": "If set to `true`, the device doesn't allow DES, 3DES, and Diffie-Hellman groups less than 14. Also the device requires the encryption algorithm specified in `IKESecurityAssociationParameters` to be at least as cryptographically strong as the algorithm specified in `ChildSecurityAssociationParameters`. The device rejects this configuration if these requirements aren't met.",
                                    "title": "Enforce strict algorithm selection",
                                    "type": "boolean",
                                },
                                "HostName": {
                                    "help": "The IP address or hostname of the VPN server.",
                                    "required": True,
                                    "title": "Host name",
                                    "type": "string",
                                },
                                "IKESecurityAssociationParameters": {
                                    "help": "These parameters apply to Child Security Association unless `ChildSecurityAssociationParameters` is specified.",
                                    "keys": {
                                        "DiffieHellmanGroup": {
                                            "default": 14,
                                            "help": "The Diffie-Hellman group. For `AlwaysOn` VPN, the minimum allowed value is `14`.",
                                            "range": [
                                                "14",
                                                "15",
                                                "16",
                                                "17",
                                                "18",
                                                "19",
                                                "20",
                                                "21",
                                                "31",
                                                "32",
                                            ],
                                            "title": "Diffie hellman group",
                                            "type": "integer",
                                        },
                                        "EncryptionAlgorithm": {
                                            "default": "AES-256",
                                            "help": "The encryption algorithm. In tvOS the default value is `AES-256-GCM`.",
                                            "range": [
                                                "AES-128",
                                                "AES-256",
                                                "AES-128-GCM",
                                                "AES-256-GCM",
                                                "ChaCha20Poly1305",
                                            ],
                                            "title": "Encryption algorithm",
                                            "type": "string",
                                        },
                                        "IntegrityAlgorithm": {
                                            "default": "SHA2-256",
                                            "help": "The integrity algorithm.",
                                            "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                                            "title": "Integrity algorithm",
                                            "type": "string",
                                        },
                                        "LifeTimeInMinutes": {
                                            "default": 1440,
                                            "help": "The SA lifetime (rekey interval) in minutes.",
                                            "max": 1440,
                                            "min": 10,
                                            "title": "Life time in minutes",
                                            "type": "integer",
                                        },
                                        "PostQuantumKeyExchangeMethods": {
                                            "help": "An array of integers representing postquantum key exchange methods the device uses during SA establishment and rekey. You can specify up to seven items, which correspond to ADDKE1 - ADDKE7 from RFC 9370.",
                                            "item": {
                                                "range": ["0", "36", "37"],
                                                "title": "Post-quantum key exchange method",
                                                "type": "integer",
                                            },
                                            "title": "Post-quantum key exchange methods",
                                            "type": "array",
                                        },
                                    },
                                    "title": "IKE security association parameters",
                                    "type": "dictionary",
                                },
                                "Idle": {
                                    "help": "Specifies details about how the system handles idle VPN connections.",
                                    "keys": {
                                        "DeadPeerDetectionRate": {
                                            "default": "Medium",
                                            "help": "One of the following: - `None`: No keepalive. - `Low`: Send keepalive every 30 minutes. - `Medium`: Send keepalive every 10 minutes. - `High`: Send keepalive every 1 minute.",
                                            "range": ["None", "Low", "Medium", "High"],
                                            "title": "Dead peer detection rate",
                                            "type": "string",
                                        },
                                        "Disconnect": {
                                            "default": False,
                                            "help": "If `true`, disconnects after an on-demand connection idles.",
                                            "title": "Enable disconnect on idle",
                                            "type": "boolean",
                                        },
                                        "Timer": {
                                            "help": "The length of time to wait, in seconds, before disconnecting an on-demand connection.",
                                            "title": "Disconnect on idle time",
                                            "type": "integer",
                                        },
                                    },
                                    "title": "Disconnect on idle settings.",
                                    "type": "dictionary",
                                },
                                "LocalIdentifier": {
                                    "help": "Identifier of the IKEv2 client.",
                                    "required": True,
                                    "title": "Local identifier",
                                    "type": "string",
                                },
                                "MTU": {
                                    "default": 1280,
                                    "help": "The Maximum Transmission Unit (MTU) specifies the maximum size in bytes of each packet that the system sends over the IKEv2 VPN interface.",
                                    "max": 1400,
                                    "min": 1280,
                                    "title": "Maximum transmission unit",
                                    "type": "integer",
                                },
                                "NATKeepAliveInterval": {
                                    "default": 20,
                                    "help": "The NAT Keepalive interval for Always On VPN IKEv2 connections. This value controls the interval that the device sends keepalive offload packets. The minimum value is 20 seconds. If no key is specified, the default is 20 seconds over Wi-Fi and 110 seconds over a cellular interface.",
                                    "title": "NAT keepalive interval",
                                    "type": "integer",
                                },
                                "OnDemand": {
                                    "help": "Specifies details about how the system controls on-demand VPN.",
                                    "keys": {
                                        "DisableUserOverride": {
                                            "default": False,
                                            "help": "If `true`, the Connect On Demand toggle in Settings is disabled for this configuration.",
                                            "title": "Prevent users from toggling VPN on demand",
                                            "type": "boolean",
                                        },
                                        "Enabled": {
                                            "default": False,
                                            "help": "If `true`, enables VPN On Demand.",
                                            "title": "Enable VPN on demand",
                                            "type": "boolean",
                                        },
                                        "Rules": {
                                            "help": "An array of dictionaries defining On Demand Rules.",
                                            "item": {
                                                "keys": {
                                                    "Action": {
                                                        "help": "The action to take if this dictionary matches the current network. Possible values are: - `Allow`: Deprecated. Allow VPN On Demand to connect if triggered. - `Connect`: Unconditionally initiate a VPN connection on the next network attempt. - `Disconnect`: Tear down the VPN connection and don't reconnect on demand as long as this dictionary matches. - `EvaluateConnection`: Evaluate the ActionParameters array for each connection attempt. - `Ignore`: Leave any existing VPN connection up, but don't reconnect on demand as long as this dictionary matches.",
                                                        "range": [
                                                            "Allow",
                                                            "Connect",
                                                            "Disconnect",
                                                            "EvaluateConnection",
                                                            "Ignore",
                                                        ],
                                                        "required": True,
                                                        "title": "On demand action",
                                                        "type": "string",
                                                    },
                                                    "ActionParameters": {
                                                        "help": "An array of dictionaries that provides rules similar to the `OnDemandRules` dictionary, but evaluated on each connection instead of when the network changes. This value is only for use with dictionaries in which the `Action` value is `EvaluateConnection`. The system evaluates these dictionaries in order and the first dictionary that matches determines the behavior.",
                                                        "item": {
                                                            "help": "A dictionary that provides rules similar to the OnDemandRules dictionary, but evaluated on each connection instead of when the network changes. These dictionaries are evaluated in order, and the behavior is determined by the first dictionary that matches. The keys allowed in each dictionary are described below. Note: This array is used only for dictionaries in which EvaluateConnection is the Action value.",
                                                            "keys": {
                                                                "DomainAction": {
                                                                    "help": "Defines the VPN behavior for the specified domains. Allowed values are: * 'ConnectIfNeeded': The specified domains should trigger a VPN connection attempt if domain name resolution fails, such as when the DNS server indicates that it can't resolve the domain, responds with a redirection to a different server, or fails to respond (timeout). * 'NeverConnect': The specified domains should never trigger a VPN connection attempt.",
                                                                    "range": [
                                                                        "ConnectIfNeeded",
                                                                        "NeverConnect",
                                                                    ],
                                                                    "required": True,
                                                                    "title": "Domain action",
                                                                    "type": "string",
                                                                },
                                                                "Domains": {
                                                                    "help": "The domains to apply this evaluation.",
                                                                    "item": {
                                                                        "title": "Domains element",
                                                                        "type": "string",
                                                                    },
                                                                    "required": True,
                                                                    "title": "Domains",
                                                                    "type": "array",
                                                                },
                                                                "RequiredDNSServers": {
                                                                    "help": "An array of IP addresses of DNS servers to use for resolving the specified domains. These servers don't need to be part of the device's current network configuration. If these DNS servers aren't reachable, the system establishes a VPN connection. These DNS servers need to be either internal DNS servers or trusted external DNS servers. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                                    "item": {
                                                                        "title": "Required DNS servers element",
                                                                        "type": "string",
                                                                    },
                                                                    "title": "Required DNS servers",
                                                                    "type": "array",
                                                                },
                                                                "RequiredURLStringProbe": {
                                                                    "help": "An HTTP or HTTPS (preferred) URL to probe, using a GET request. If the URL's hostname can't be resolved, if the server is unreachable, or if the server doesn't respond with a 200 HTTP status code, a VPN connection is established in response. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                                    "title": "Required URL string probe",
                                                                    "type": "string",
                                                                },
                                                            },
                                                            "title": "Action parameter",
                                                            "type": "dictionary",
                                                        },
                                                        "title": "Action parameters",
                                                        "type": "array",
                                                    },
                                                    "DNSDomainMatch": {
                                                        "help": "An array of domain names. This rule matches if any of the domain names in the specified list matches any domain in the device's search domains list. The system supports a wildcard (`\\*`) prefix. For example, `\\*.example.com` matches against either `mydomain.example.com` or `yourdomain.example.com`.",
                                                        "item": {
                                                            "title": "DNS domain match element",
                                                            "type": "string",
                                                        },
                                                        "title": "DNS domain match",
                                                        "type": "array",
                                                    },
                                                    "DNSServerAddressMatch": {
                                                        "help": "An array of IP addresses. This rule matches if any of the network's specified DNS servers match any entry in the array. The system supports matching with a single wildcard. For example, `17.\\*` matches any DNS server in the `17.0.0.0/8` subnet.",
                                                        "item": {
                                                            "title": "DNS server address match element",
                                                            "type": "string",
                                                        },
                                                        "title": "DNS server address match",
                                                        "type": "array",
                                                    },
                                                    "InterfaceTypeMatch": {
                                                        "help": "An interface type. If specified, this rule matches only if the primary network interface hardware matches the specified type.",
                                                        "range": ["Ethernet", "WiFi", "Cellular"],
                                                        "title": "Interface type match",
                                                        "type": "string",
                                                    },
                                                    "SSIDMatch": {
                                                        "help": "An array of SSIDs to match against the current network. If the network isn't a Wi-Fi network or if the SSID doesn't appear in this array, the match fails. Omit this key and the corresponding array to match against any SSID.",
                                                        "item": {
                                                            "title": "SSID match element",
                                                            "type": "string",
                                                        },
                                                        "title": "SSID match",
                                                        "type": "array",
                                                    },
                                                    "URLStringProbe": {
                                                        "help": "A URL to probe. This rule matches when this URL is successfully fetched (returns a `200` HTTP status code) without redirection.",
                                                        "title": "URL string probe",
                                                        "type": "string",
                                                    },
                                                },
                                                "title": "Rules element",
                                                "type": "dictionary",
                                            },
                                            "title": "On demand rules",
                                            "type": "array",
                                        },
                                    },
                                    "title": "On demand details",
                                    "type": "dictionary",
                                },
                                "PostQuantumKeyExchange": {
                                    "help": "Post Quantum Key Exchange settings.",
                                    "keys": {
                                        "AllowFallback": {
                                            "default": False,
                                            "help": "If set to `false`, the VPN doesn't establish a connection if the server doesn't support or doesn't allow post-quantum key exchanges. Thd device ignores this key if `PostQuantumKeyExchangeMethods` isn't present in `IKESecurityAssociationParameters` or `ChildSecurityAssociationParameters`.",
                                            "title": "Allow post-quantum key exchange fallback",
                                            "type": "boolean",
                                        },
                                        "PPK": {
                                            "help": "The Post-quantum Pre-shared key (PPK) the device uses for this VPN. This key is is used with VPN servers that support RFC 8784. If this key is present `PPKIdentifier` must also be present.",
                                            "title": "Post-quantum pre-shared key",
                                            "type": "data",
                                        },
                                        "PPKIdentifier": {
                                            "help": "The identifier for the Post-quantum Pre-shared key (PPK) the device uses for this VPN. This key is is used with VPN servers that support RFC 8784. If this key is present `PPK` must also be present.",
                                            "title": "Post-quantum pre-shared key identifier",
                                            "type": "string",
                                        },
                                        "PPKMandatory": {
                                            "default": True,
                                            "help": "If set to `true`, the VPN doesn't establish a connection if the server doesn't support RFC 8784 or doesn't accept the PPK identifier specified in `PPKIdentifier`. The device ignores this key if `PPK` and `PPKIdentifier` aren't present.",
                                            "title": "Post-quantum pre-shared key mandatory",
                                            "type": "boolean",
                                        },
                                    },
                                    "title": "Post quantum key exchange",
                                    "type": "dictionary",
                                },
                                "Provider": {
                                    "help": "Specifies details about the provider.",
                                    "keys": {
                                        "ComposedIdentifier": {
                                            "help": "In iOS, tvOS, and visionOS, the identifier is a bundle ID, for example, 'com.example.app'. In macOS, the identifier is a composed identifier. The format of the composed identifier is either 'Bundle-ID', 'Bundle-ID (Team-ID)', or 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identifier string of the provider. 'Team-ID' is the team identifier from the provider's code signature. 'Designated-Requirement' is the designated requirement string the device uses to match the code signature of the provider. For example, 'com.example.app' for the bundle ID format, 'com.example.app (ABCD…",
                                            "title": "Composed identifier",
                                            "type": "string",
                                        },
                                        "Type": {
                                            "default": "packet-tunnel",
                                            "help": "The type of VPN service. If the value is `app-proxy`, the service tunnels traffic at the app level. If the value is `packet-tunnel`, the service tunnels traffic at the IP layer.",
                                            "range": ["packet-tunnel", "app-proxy"],
                                            "title": "Type",
                                            "type": "string",
                                        },
                                    },
                                    "title": "Provider details",
                                    "type": "dictionary",
                                },
                                "RemoteIdentifier": {
                                    "help": "The remote identifier.",
                                    "required": True,
                                    "title": "Remote identifier",
                                    "type": "string",
                                },
                                "UseConfigurationAttributeInternalIPSubnet": {
                                    "default": False,
                                    "help": "If `true`, negotiations should use IKEv2 Configuration Attribute `INTERNAL_IP4_SUBNET` and `INTERNAL_IP6_SUBNET`.",
                                    "title": "Use IPv4 / IPv6 internal subnet attributes",
                                    "type": "boolean",
                                },
                            },
                            "title": "IKEv2 configuration",
                            "type": "dictionary",
                        },
                        "Interfaces": {
                            "help": "The interfaces to apply this configuration to.",
                            "item": {
                                "range": ["Cellular", "WiFi"],
                                "title": "Interfaces element",
                                "type": "string",
                            },
                            "title": "Interfaces",
                            "type": "array",
                        },
                        "ProtocolType": {
                            "help": "The type of connection, which needs to be `IKEv2`.",
                            "range": ["IKEv2"],
                            "required": True,
                            "title": "Protocol type",
                            "type": "string",
                        },
                    },
                    "title": "A tunnel configuration element",
                    "type": "dictionary",
                },
                "required": True,
                "title": "Tunnel configurations",
                "type": "array",
            },
            "UIToggleEnabled": {
                "default": False,
                "help": "If `true`, allows the user to disable the VPN configuration.",
                "title": "UI toggle enabled",
                "type": "boolean",
            },
            "VisibleName": {
                "help": "The name of the VPN connection that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:AlwaysOn",
    },
    "com.apple.configuration.network.vpn.ikev2": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure a VPN using the IKEv2 sub-type.",
        "file": "declarative/declarations/configurations/network.vpn.ikev2.yaml",
        "keys": {
            "Authentication": {
                "help": "Settings that control authentication.",
                "keys": {
                    "CredentialsAssetReference": {
                        "help": "The identifier of an asset declaration that contains the credentials (password) to authenticate with the VPN server. Required when `Authentication.Method` is set to `SharedSecret`.",
                        "title": "Credentials asset reference",
                        "type": "string",
                    },
                    "ExtendedAuth": {
                        "help": "Specifies details about how the VPN routes different types of network traffic.",
                        "keys": {
                            "CredentialsAssetReference": {
                                "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the VPN server. Required when `Enabled` is set to `true`. Implies the use of EAP-MSCHAPv2.",
                                "title": "Credentials asset reference",
                                "type": "string",
                            },
                            "Enabled": {
                                "default": False,
                                "help": "If `true`, enables EAP-only authentication.",
                                "title": "Enabled",
                                "type": "boolean",
                            },
                            "ServerCertificateCommonName": {
                                "help": "The common name of the server certificate. The system uses this name to validate the certificate sent by the IKE server. If not set, the system uses the remote identifier to validate the certificate.",
                                "title": "Server certificate common name",
                                "type": "string",
                            },
                            "ServerCertificateIssuerCommonName": {
                                "help": "Common Name of the server certificate issuer. If set, this field causes IKE to send a certificate request based on this certificate issuer to the server. This key is required if the `IdentityCertificateType` key is included and the `ExtendedAuth.Enabled` key is `true`.",
                                "title": "Server certificate issuer common name",
                                "type": "string",
                            },
                            "TLSMaximumVersion": {
                                "default": "1.2",
                                "help": "The maximum TLS version to use with EAP-TLS authentication.",
                                "range": ["1.0", "1.1", "1.2", "1.3"],
                                "title": "TLS maximum version",
                                "type": "string",
                            },
                            "TLSMinimumVersion": {
                                "default": "1.0",
                                "help": "The minimum TLS version to use with EAP-TLS authentication.",
                                "range": ["1.0", "1.1", "1.2", "1.3"],
                                "title": "TLS minimum version",
                                "type": "string",
                            },
                        },
                        "title": "Extended authentication (EAP)",
                        "type": "dictionary",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that this account requires to authenticate with the VPN server. If the value of `AuthenticationMethod` is `Certificate`, the system sends this certificate out for IKEv2 machine authentication. If extended authentication (EAP) is used, the system sends this certificate out for EAP-TLS authentication. Required when `Authentication.Method` is set to `Certificate`.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                    "IdentityCertificateType": {
                        "default": "RSA",
                        "help": "The type of key used by the identity set in the `IdentityAssetReference` to use for IKEv2 machine authentication. If this key is included, the system requires a value for `ServerCertificateIssuerCommonName`.",
                        "range": ["RSA", "ECDSA256", "ECDSA384", "ECDSA521", "RSA-PSS"],
                        "title": "Certificate type",
                        "type": "string",
                    },
                    "Method": {
                        "help": "The type of authentication method for the VPN. To enable EAP-only authentication, set this to `None` and `ExtendedAuthEnabled` to `true`. If this is `None` and the `ExtendedAuthEnabled` key isn't set, the authentication configuration defaults to `SharedSecret`.",
                        "range": ["None", "SharedSecret", "Certificate"],
                        "required": True,
                        "title": "Authentication method",
                        "type": "string",
                    },
                },
                "required": True,
                "title": "Authentication details",
                "type": "dictionary",
            },
            "ChildSecurityAssociationParameters": {
                "help": "The `ChildSecurityAssociationParameters` dictionaries.",
                "keys": {
                    "DiffieHellmanGroup": {
                        "default": 14,
                        "help": "The Diffie-Hellman group. For `AlwaysOn` VPN, the minimum allowed value is `14`.",
                        "range": ["14", "15", "16", "17", "18", "19", "20", "21", "31", "32"],
                        "title": "Diffie hellman group",
                        "type": "integer",
                    },
                    "EncryptionAlgorithm": {
                        "default": "AES-256",
                        "help": "The encryption algorithm. On tvOS, the default value is `AES-256-GCM`.",
                        "range": [
                            "AES-128",
                            "AES-256",
                            "AES-128-GCM",
                            "AES-256-GCM",
                            "ChaCha20Poly1305",
                        ],
                        "title": "Encryption algorithm",
                        "type": "string",
                    },
                    "IntegrityAlgorithm": {
                        "default": "SHA2-256",
                        "help": "The integrity algorithm.",
                        "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                        "title": "Integrity algorithm",
                        "type": "string",
                    },
                    "LifeTimeInMinutes": {
                        "default": 1440,
                        "help": "The SA lifetime (rekey interval) in minutes.",
                        "max": 1440,
                        "min": 10,
                        "title": "Life time in minutes",
                        "type": "integer",
                    },
                    "PostQuantumKeyExchangeMethods": {
                        "help": "An array of integers representing postquantum key exchange methods the device uses during SA establishment and rekey. You can specify up to seven items, which correspond to ADDKE1 - ADDKE7 from RFC 9370.",
                        "item": {
                            "range": ["0", "36", "37"],
                            "title": "Post-quantum key exchange method",
                            "type": "integer",
                        },
                        "title": "Post-quantum key exchange methods",
                        "type": "array",
                    },
                },
                "title": "Child security association parameters",
                "type": "dictionary",
            },
            "DNS": {
                "help": "A dictionary to use for all VPN types.",
                "keys": {
                    "DomainName": {
                        "help": "The primary domain of the tunnel.",
                        "title": "Domain name",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that the system uses to authenticate the user to the DNS resolver.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                    "Protocol": {
                        "help": "The transport protocol to communicate with the DNS server.",
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "title": "DNS protocol",
                        "type": "string",
                    },
                    "SearchDomains": {
                        "help": "The list of domain strings used to fully qualify single-label host names.",
                        "item": {"title": "Search domains element", "type": "string"},
                        "title": "DNS search domains",
                        "type": "array",
                    },
                    "ServerAddresses": {
                        "help": "The array of DNS server IP address strings. These IP addresses can be a mixture of IPv4 and IPv6 addresses.",
                        "item": {"title": "Server address element", "type": "string"},
                        "required": True,
                        "title": "DNS server addresses",
                        "type": "array",
                    },
                    "ServerName": {
                        "help": "The hostname of a DNS-over-TLS server to validate the server certificate, as defined in RFC 7858. If `ServerAddresses` isn't specified, the system uses the hostname to determine the server addresses. This key is required if the `DNSProtocol` is `TLS`.",
                        "title": "Server name",
                        "type": "string",
                    },
                    "ServerURL": {
                        "help": "The URI template of a DNS-over-HTTPS server, as defined in RFC 8484, which needs to use the `https://` scheme. The system uses the hostname or address in the URL to validate the server certificate. If `ServerAddresses` isn't specified, the system uses the hostname or address in the URL to determine the server addresses. This key is required if the `DNSProtocol` is `HTTPS`.",
                        "title": "Server URL",
                        "type": "string",
                    },
                    "SupplementalMatchDomains": {
                        "help": "The list of domain strings used to determine which DNS queries use the DNS resolver settings in `ServerAddresses`. The system uses this key to create a split DNS configuration where it resolves only hosts in certain domains using the tunnel's DNS resolver. The system uses the default resolver for hosts that aren't in one of the domains in this list. If `SupplementalMatchDomains` contains the empty string it becomes the default domain. Split-tunnel configurations can direct all DNS queries to the VPN DNS servers before the primary DNS servers. If the VPN tunnel becomes the network's default ro…",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                    "SupplementalMatchDomainsNoSearch": {
                        "default": False,
                        "help": "If `true`, don't append the domains in the `SupplementalMatchDomains` list to the resolver's list of search domains.",
                        "title": "Supplemental match domains no search",
                        "type": "boolean",
                    },
                },
                "title": "DNS",
                "type": "dictionary",
            },
            "DisableMOBIKE": {
                "default": False,
                "help": "If `true`, the system disables MOBIKE.",
                "title": "Disable mobility and multihoming",
                "type": "boolean",
            },
            "DisableRedirect": {
                "default": False,
                "help": "If `true`, the system disables IKEv2 redirect. If not set, the system redirects an IKEv2 connection when it receives a redirect request from the server.",
                "title": "Disable redirect",
                "type": "boolean",
            },
            "EnableCertificateRevocationCheck": {
                "default": False,
                "help": "If `true`, the system performs a certificate revocation check for IKEv2 connections. This is a best-effort revocation check and server response timeouts won't cause it to fail.",
                "title": "Enable certificate revocation check",
                "type": "boolean",
            },
            "EnableFallback": {
                "default": False,
                "help": "If `true`, the system enables a tunnel over cellular data to carry traffic that's eligible for Wi-Fi Assist and also requires VPN. Enabling fallback requires that the server support multiple tunnels for a single user.",
                "title": "Enable fallback",
                "type": "boolean",
            },
            "EnableNATKeepAliveOffload": {
                "default": True,
                "help": "If `true`, enables NAT keepalive offload for Always On VPN IKEv2 connections. The device sends keepalive packets to maintain NAT mappings for IKEv2 connections that have a NAT on the path. It sends keepalive packets at regular intervals when the device is awake. If `NATKeepAliveOffloadEnable` is `true`, the system offloads keepalive packets to hardware while the device is asleep. NAT keepalive offload has an impact on the battery life due to the extra workload during sleep. The default interval for the keepalive offload packets is 20 seconds over Wi-Fi and 110 seconds over Cellular interface.…",
                "title": "Enable NAT keep alive offload",
                "type": "boolean",
            },
            "EnablePFS": {
                "default": False,
                "help": "If `true`, enables Perfect Forward Secrecy (PFS) for IKEv2 Connections.",
                "title": "Enable perfect forward secrecy",
                "type": "boolean",
            },
            "EnforceStrictAlgorithmSelection": {
                "default": False,
                "help": "If set to `true`, the device doesn't allow DES, 3DES, and Diffie-Hellman groups less than 14. Also the device requires the encryption algorithm specified in `IKESecurityAssociationParameters` to be at least as cryptographically strong as the algorithm specified in `ChildSecurityAssociationParameters`. The device rejects this configuration if these requirements aren't met.",
                "title": "Enforce strict algorithm selection",
                "type": "boolean",
            },
            "HostName": {
                "help": "The IP address or hostname of the VPN server.",
                "required": True,
                "title": "Host name",
                "type": "string",
            },
            "IKESecurityAssociationParameters": {
                "help": "These parameters apply to Child Security Association unless `ChildSecurityAssociationParameters` is specified.",
                "keys": {
                    "DiffieHellmanGroup": {
                        "default": 14,
                        "help": "The Diffie-Hellman group. For `AlwaysOn` VPN, the minimum allowed value is `14`.",
                        "range": ["14", "15", "16", "17", "18", "19", "20", "21", "31", "32"],
                        "title": "Diffie hellman group",
                        "type": "integer",
                    },
                    "EncryptionAlgorithm": {
                        "default": "AES-256",
                        "help": "The encryption algorithm. On tvOS, the default value is `AES-256-GCM`.",
                        "range": [
                            "AES-128",
                            "AES-256",
                            "AES-128-GCM",
                            "AES-256-GCM",
                            "ChaCha20Poly1305",
                        ],
                        "title": "Encryption algorithm",
                        "type": "string",
                    },
                    "IntegrityAlgorithm": {
                        "default": "SHA2-256",
                        "help": "The integrity algorithm.",
                        "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                        "title": "Integrity algorithm",
                        "type": "string",
                    },
                    "LifeTimeInMinutes": {
                        "default": 1440,
                        "help": "The SA lifetime (rekey interval) in minutes.",
                        "max": 1440,
                        "min": 10,
                        "title": "Life time in minutes",
                        "type": "integer",
                    },
                    "PostQuantumKeyExchangeMethods": {
                        "help": "An array of integers representing postquantum key exchange methods the device uses during SA establishment and rekey. You can specify up to seven items, which correspond to ADDKE1 - ADDKE7 from RFC 9370.",
                        "item": {
                            "range": ["0", "36", "37"],
                            "title": "Post-quantum key exchange method",
                            "type": "integer",
                        },
                        "title": "Post-quantum key exchange methods",
                        "type": "array",
                    },
                },
                "title": "IKE security association parameters",
                "type": "dictionary",
            },
            "Idle": {
                "help": "Specifies details about how the system handles idle VPN connections.",
                "keys": {
                    "DeadPeerDetectionRate": {
                        "default": "Medium",
                        "help": "One of the following: - `None`: No keepalive. - `Low`: Send keepalive every 30 minutes. - `Medium`: Send keepalive every 10 minutes. - `High`: Send keepalive every 1 minute.",
                        "range": ["None", "Low", "Medium", "High"],
                        "title": "Dead peer detection rate",
                        "type": "string",
                    },
                    "Disconnect": {
                        "default": False,
                        "help": "If `true`, disconnects after an on-demand connection idles.",
                        "title": "Enable disconnect on idle",
                        "type": "boolean",
                    },
                    "Timer": {
                        "help": "The length of time to wait, in seconds, before disconnecting an on-demand connection.",
                        "title": "Disconnect on idle time",
                        "type": "integer",
                    },
                },
                "title": "Disconnect on idle settings.",
                "type": "dictionary",
            },
            "LocalIdentifier": {
                "help": "Identifier of the IKEv2 client.",
                "required": True,
                "title": "Local identifier",
                "type": "string",
            },
            "MTU": {
                "default": 1280,
                "help": "The Maximum Transmission Unit (MTU) specifies the maximum size in bytes of each packet that the system sends over the IKEv2 VPN interface.",
                "max": 1400,
                "min": 1280,
                "title": "Maximum transmission unit",
                "type": "integer",
            },
            "NATKeepAliveInterval": {
                "default": 20,
                "help": "The NAT Keepalive interval for Always On VPN IKEv2 connections. This value controls the interval that the device sends keepalive offload packets. The minimum value is 20 seconds. If no key is specified, the default is 20 seconds over Wi-Fi and 110 seconds over a cellular interface.",
                "title": "NAT keepalive interval",
                "type": "integer",
            },
            "NetworkRouting": {
                "help": "Specifies details about how the VPN routes different types of network traffic.",
                "keys": {
                    "EnforceRoutes": {
                        "default": False,
                        "help": "If `true`, all the VPN's non-default routes take precedence over any locally defined routes. If `IncludeAllNetworks` is `true`, the system ignores the value of `EnforceRoutes`.",
                        "title": "Enforce routes",
                        "type": "boolean",
                    },
                    "ExcludeAPNs": {
                        "default": True,
                        "help": "If `true` and `IncludeAllNetworks` is `true`, then the system excludes the network traffic for the Apple Push Notification service (APNs) from the tunnel.",
                        "title": "Exclude APNs",
                        "type": "boolean",
                    },
                    "ExcludeCellularServices": {
                        "default": True,
                        "help": "If `true` and `IncludeAllNetworks` is `true`, then the system excludes internet-routable network traffic for cellular services (VoLTE, Wi-Fi Calling, IMS, MMS, Visual Voicemail, etc.) from the tunnel. Note that some cellular carriers route cellular services traffic directly to the carrier network, bypassing the internet. Such cellular services traffic is always excluded from the tunnel.",
                        "title": "Exclude cellular services",
                        "type": "boolean",
                    },
                    "ExcludeDeviceCommunication": {
                        "default": True,
                        "help": "If set to `true` and `IncludeAllNetworks` is set to `true`, the device excludes network traffic used for communicating with devices connected via USB or Wi-Fi from the tunnel.",
                        "title": "Exclude device communication",
                        "type": "boolean",
                    },
                    "ExcludeLocalNetworks": {
                        "help": "If `true` and `IncludeAllNetworks` is `true`, routes all local network traffic outside the VPN.",
                        "title": "Exclude local networks",
                        "type": "boolean",
                    },
                    "IncludeAllNetworks": {
                        "default": False,
                        "help": "If `true`, routes all traffic through the VPN, with some exclusions. Several of the exclusions can be controlled with the `ExcludeLocalNetworks`, `ExcludeCellularServices`, `ExcludeAPNs` and `ExcludeDeviceCommunication` properties. The following traffic is always excluded from the tunnel: - Traffic necessary for connecting and maintaining the device's network connection, such as DHCP. - Traffic necessary for connecting to captive networks. - Certain cellular services traffic that's not routable over the internet and is instead directly routed to the cellular network. See the ExcludeCellularSe…",
                        "title": "Include all networks",
                        "type": "boolean",
                    },
                },
                "title": "Network routing details",
                "type": "dictionary",
            },
            "OnDemand": {
                "help": "Specifies details about how the system controls on-demand VPN.",
                "keys": {
                    "DisableUserOverride": {
                        "default": False,
                        "help": "If `true`, the device disables the Connect On Demand toggle in Settings for this configuration.",
                        "title": "Prevent users from toggling VPN on demand",
                        "type": "boolean",
                    },
                    "Enabled": {
                        "default": False,
                        "help": "If `true`, enables VPN On Demand.",
                        "title": "Enable VPN on demand",
                        "type": "boolean",
                    },
                    "Rules": {
                        "help": "An array of dictionaries defining On Demand Rules.",
                        "item": {
                            "keys": {
                                "Action": {
                                    "help": "The action to take if this dictionary matches the current network. Possible values are: - `Allow`: Deprecated. Allow VPN On Demand to connect if triggered. - `Connect`: Unconditionally initiate a VPN connection on the next network attempt. - `Disconnect`: Tear down the VPN connection and don't reconnect on demand as long as this dictionary matches. - `EvaluateConnection`: Evaluate the ActionParameters array for each connection attempt. - `Ignore`: Leave any existing VPN connection up, but don't reconnect on demand as long as this dictionary matches.",
                                    "range": [
                                        "Allow",
                                        "Connect",
                                        "Disconnect",
                                        "EvaluateConnection",
                                        "Ignore",
                                    ],
                                    "required": True,
                                    "title": "On demand action",
                                    "type": "string",
                                },
                                "ActionParameters": {
                                    "help": "An array of dictionaries that provides rules similar to the `OnDemandRules` dictionary, but evaluated on each connection instead of when the network changes. This value is only for use with dictionaries in which the `Action` value is `EvaluateConnection`. The system evaluates these dictionaries in order and the first dictionary that matches determines the behavior.",
                                    "item": {
                                        "help": "A dictionary that provides rules similar to the OnDemandRules dictionary, but evaluated on each connection instead of when the network changes. These dictionaries are evaluated in order, and the behavior is determined by the first dictionary that matches. The keys allowed in each dictionary are described below. Note: This array is used only for dictionaries in which EvaluateConnection is the Action value.",
                                        "keys": {
                                            "DomainAction": {
                                                "help": "Defines the VPN behavior for the specified domains. Allowed values are: * 'ConnectIfNeeded': The specified domains should trigger a VPN connection attempt if domain name resolution fails, such as when the DNS server indicates that it can't resolve the domain, responds with a redirection to a different server, or fails to respond (timeout). * 'NeverConnect': The specified domains should never trigger a VPN connection attempt.",
                                                "range": ["ConnectIfNeeded", "NeverConnect"],
                                                "required": True,
                                                "title": "Domain action",
                                                "type": "string",
                                            },
                                            "Domains": {
                                                "help": "The domains to apply this evaluation.",
                                                "item": {
                                                    "title": "Domains element",
                                                    "type": "string",
                                                },
                                                "required": True,
                                                "title": "Domains",
                                                "type": "array",
                                            },
                                            "RequiredDNSServers": {
                                                "help": "An array of IP addresses of DNS servers to use for resolving the specified domains. These servers don't need to be part of the device's current network configuration. If these DNS servers aren't reachable, the system establishes a VPN connection. These DNS servers need to be either internal DNS servers or trusted external DNS servers. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                "item": {
                                                    "title": "Required DNS servers element",
                                                    "type": "string",
                                                },
                                                "title": "Required DNS servers",
                                                "type": "array",
                                            },
                                            "RequiredURLStringProbe": {
                                                "help": "An HTTP or HTTPS (preferred) URL to probe, using a GET request. If the URL's hostname can't be resolved, if the server is unreachable, or if the server doesn't respond with a 200 HTTP status code, a VPN connection is established in response. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                "title": "Required URL string probe",
                                                "type": "string",
                                            },
                                        },
                                        "title": "Action parameter",
                                        "type": "dictionary",
                                    },
                                    "title": "Action parameters",
                                    "type": "array",
                                },
                                "DNSDomainMatch": {
                                    "help": "An array of domain names. This rule matches if any of the domain names in the specified list matches any domain in the device's search domains list. The system supports a wildcard (`\\*`) prefix. For example, `\\*.example.com` matches against either `mydomain.example.com` or `yourdomain.example.com`.",
                                    "item": {"title": "DNS domain match element", "type": "string"},
                                    "title": "DNS domain match",
                                    "type": "array",
                                },
                                "DNSServerAddressMatch": {
                                    "help": "An array of IP addresses. This rule matches if any of the network's specified DNS servers match any entry in the array. The system supports matching with a single wildcard. For example, `17.\\*` matches any DNS server in the `17.0.0.0/8` subnet.",
                                    "item": {
                                        "title": "DNS server address match element",
                                        "type": "string",
                                    },
                                    "title": "DNS server address match",
                                    "type": "array",
                                },
                                "InterfaceTypeMatch": {
                                    "help": "An interface type. If specified, this rule matches only if the primary network interface hardware matches the specified type.",
                                    "range": ["Ethernet", "WiFi", "Cellular"],
                                    "title": "Interface type match",
                                    "type": "string",
                                },
                                "SSIDMatch": {
                                    "help": "An array of SSIDs to match against the current network. If the network isn't a Wi-Fi network or if the SSID doesn't appear in this array, the match fails. Omit this key and the corresponding array to match against any SSID.",
                                    "item": {"title": "SSID match element", "type": "string"},
                                    "title": "SSID match",
                                    "type": "array",
                                },
                                "URLStringProbe": {
                                    "help": "A URL to probe. This rule matches when this URL is successfully fetched (returns a `200` HTTP status code) without redirection.",
                                    "title": "URL string probe",
                                    "type": "string",
                                },
                            },
                            "title": "Rules element",
                            "type": "dictionary",
                        },
                        "title": "On demand rules",
                        "type": "array",
                    },
                },
                "title": "On demand details",
                "type": "dictionary",
            },
            "PostQuantumKeyExchange": {
                "help": "Post Quantum Key Exchange settings.",
                "keys": {
                    "AllowFallback": {
                        "default": False,
                        "help": "If set to `false`, the VPN doesn't establish a connection if the server doesn't support or doesn't allow post-quantum key exchanges. Thd device ignores this key if `PostQuantumKeyExchangeMethods` isn't present in `IKESecurityAssociationParameters` or `ChildSecurityAssociationParameters`.",
                        "title": "Allow post-quantum key exchange fallback",
                        "type": "boolean",
                    },
                    "PPK": {
                        "help": "The Post-quantum Pre-shared key (PPK) the device uses for this VPN. This key is is used with VPN servers that support RFC 8784. If this key is present `PPKIdentifier` must also be present.",
                        "title": "Post-quantum pre-shared key",
                        "type": "data",
                    },
                    "PPKIdentifier": {
                        "help": "The identifier for the Post-quantum Pre-shared key (PPK) the device uses for this VPN. This key is is used with VPN servers that support RFC 8784. If this key is present `PPK` must also be present.",
                        "title": "Post-quantum pre-shared key identifier",
                        "type": "string",
                    },
                    "PPKMandatory": {
                        "default": True,
                        "help": "If set to `true`, the VPN doesn't establish a connection if the server doesn't support RFC 8784 or doesn't accept the PPK identifier specified in `PPKIdentifier`. The device ignores this key if `PPK` and `PPKIdentifier` aren't present.",
                        "title": "Post-quantum pre-shared key mandatory",
                        "type": "boolean",
                    },
                },
                "title": "Post quantum key exchange",
                "type": "dictionary",
            },
            "Provider": {
                "help": "Specifies details about the provider.",
                "keys": {
                    "ComposedIdentifier": {
                        "help": "In iOS, tvOS, and visionOS, the identifier is a bundle ID, for example, 'com.example.app'. In macOS, the identifier is a composed identifier. The format of the composed identifier is either 'Bundle-ID' or 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identifier string of the provider. 'Designated-Requirement' is the designated requirement string the device uses to match the code signature of the provider. For example, 'com.example.app' for the bundle ID format, or 'com.example.app {anchor apple generic}' for the designated requirement format.",
                        "title": "Composed identifier",
                        "type": "string",
                    },
                    "Type": {
                        "default": "packet-tunnel",
                        "help": "The type of VPN service. If the value is `app-proxy`, the service tunnels traffic at the app level. If the value is `packet-tunnel`, the service tunnels traffic at the IP layer.",
                        "range": ["packet-tunnel", "app-proxy"],
                        "title": "Type",
                        "type": "string",
                    },
                },
                "title": "Provider details",
                "type": "dictionary",
            },
            "Proxies": {
                "help": "The dictionary to use to configure `Proxies` for use with `VPN`.",
                "keys": {
                    "AutoConfigEnable": {
                        "default": False,
                        "help": "If `true`, enables automatic proxy configuration.",
                        "title": "Proxy auto config enable",
                        "type": "boolean",
                    },
                    "AutoConfigURLString": {
                        "help": "The URL to the location of the proxy auto-configuration file. Used only when `ProxyAutoConfigEnable` is `true`.",
                        "title": "Proxy server URL",
                        "type": "string",
                    },
                    "AutoDiscoveryEnable": {
                        "default": True,
                        "help": "If `true`, enables proxy auto discovery.",
                        "title": "Proxy auto discovery enable",
                        "type": "boolean",
                    },
                    "Protocol": {
                        "help": "The dictionary to use to configure HTTP servers for `Proxies` for use with `VPN`.",
                        "keys": {
                            "CredentialsAssetReference": {
                                "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the proxy server.",
                                "title": "Credentials asset reference",
                                "type": "string",
                            },
                            "HTTP": {
                                "help": "The dictionary to use to configure the HTTP (non-TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTP traffic.",
                                        "title": "Enable HTTP",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTP proxy.",
                                        "title": "HTTP host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTP proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTP port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTP protocol",
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "help": "The dictionary to use to configure the HTTPS (TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTPS traffic.",
                                        "title": "Enable HTTPS",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTPS proxy.",
                                        "title": "HTTPS host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTPS proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTPS port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTPS protocol",
                                "type": "dictionary",
                            },
                        },
                        "title": "Protocol",
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {
                        "help": "An array of domains that defines which hosts use proxy settings for hosts.",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                },
                "title": "Proxies",
                "type": "dictionary",
            },
            "RemoteIdentifier": {
                "help": "The remote identifier.",
                "required": True,
                "title": "Remote identifier",
                "type": "string",
            },
            "UseConfigurationAttributeInternalIPSubnet": {
                "default": False,
                "help": "If `true`, negotiations should use IKEv2 Configuration Attribute `INTERNAL_IP4_SUBNET` and `INTERNAL_IP6_SUBNET`.",
                "title": "Use IPv4 / IPv6 internal subnet attributes",
                "type": "boolean",
            },
            "VisibleName": {
                "help": "The name of the VPN connection that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:IKEV2",
    },
    "com.apple.configuration.network.vpn.ipsec": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure a VPN using the IPSec sub-type.",
        "file": "declarative/declarations/configurations/network.vpn.ipsec.yaml",
        "keys": {
            "Authentication": {
                "help": "Settings that control authentication.",
                "keys": {
                    "CredentialsAssetReference": {
                        "help": "The identifier of an asset declaration that contains the credentials (password) to authenticate with the VPN servers. Only use this with Cisco IPSec VPNs and if the `Authentication.Method` key is to `SharedSecret`.",
                        "title": "Credentials asset reference",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that this account requires to authenticate with the VPN servers. Only use this with Cisco IPSec VPNs and if the `Authentication.Method` key is to `Certificate`.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                    "LocalIdentifier": {
                        "help": "The name of the group. For hybrid authentication, the string needs to end with 'hybrid'. Present only for Cisco IPSec if `Authentication.Method` is `SharedSecret`.",
                        "title": "Local identifier",
                        "type": "string",
                    },
                    "LocalIdentifierType": {
                        "default": "KeyID",
                        "help": "Present only if `Authentication.Method` is `SharedSecret`. The value is `KeyID`. The system uses this value for Cisco IPSec VPNs.",
                        "range": ["KeyID"],
                        "title": "Local identifier type",
                        "type": "string",
                    },
                    "Method": {
                        "help": "The authentication method to use.",
                        "range": ["SharedSecret", "Certificate"],
                        "required": True,
                        "title": "Authentication method",
                        "type": "string",
                    },
                    "PromptForVPNPIN": {
                        "default": False,
                        "help": "If `true`, prompts for a PIN when connecting to Cisco IPSec VPNs.",
                        "title": "Prompt for PIN",
                        "type": "boolean",
                    },
                    "XAuth": {
                        "help": "Settings that control XAuth.",
                        "keys": {
                            "CredentialsAssetReference": {
                                "help": "The identifier of an asset declaration that contains the credentials (user name and password) required for XAuth. Required when `Enabled` key is set to `true`.",
                                "title": "Credentials asset reference",
                                "type": "string",
                            },
                            "Enabled": {
                                "help": "If `true`, enables Xauth for Cisco IPSec VPNs.",
                                "required": True,
                                "title": "XAuth enabled",
                                "type": "boolean",
                            },
                            "PasswordEncryption": {
                                "help": "A string that either has the value `Prompt` or isn't present.",
                                "range": ["Prompt"],
                                "title": "XAuth password encryption",
                                "type": "string",
                            },
                        },
                        "title": "XAuth details",
                        "type": "dictionary",
                    },
                },
                "required": True,
                "title": "Authentication details",
                "type": "dictionary",
            },
            "DNS": {
                "help": "A dictionary to use for all VPN types.",
                "keys": {
                    "DomainName": {
                        "help": "The primary domain of the tunnel.",
                        "title": "Domain name",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that the system uses to authenticate the user to the DNS resolver.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                    "Protocol": {
                        "help": "The transport protocol to communicate with the DNS server.",
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "title": "DNS protocol",
                        "type": "string",
                    },
                    "SearchDomains": {
                        "help": "The list of domain strings used to fully qualify single-label host names.",
                        "item": {"title": "Search domains element", "type": "string"},
                        "title": "DNS search domains",
                        "type": "array",
                    },
                    "ServerAddresses": {
                        "help": "The array of DNS server IP address strings. These IP addresses can be a mixture of IPv4 and IPv6 addresses.",
                        "item": {"title": "Server address element", "type": "string"},
                        "required": True,
                        "title": "DNS server addresses",
                        "type": "array",
                    },
                    "ServerName": {
                        "help": "The hostname of a DNS-over-TLS server to validate the server certificate, as defined in RFC 7858. If `ServerAddresses` isn't specified, the system uses the hostname to determine the server addresses. This key is required if the `DNSProtocol` is `TLS`.",
                        "title": "Server name",
                        "type": "string",
                    },
                    "ServerURL": {
                        "help": "The URI template of a DNS-over-HTTPS server, as defined in RFC 8484, which needs to use the `https://` scheme. The system uses the hostname or address in the URL to validate the server certificate. If `ServerAddresses` isn't specified, the system uses the hostname or address in the URL to determine the server addresses. This key is required if the `DNSProtocol` is `HTTPS`.",
                        "title": "Server URL",
                        "type": "string",
                    },
                    "SupplementalMatchDomains": {
                        "help": "The list of domain strings used to determine which DNS queries use the DNS resolver settings in `ServerAddresses`. The system uses this key to create a split DNS configuration where it resolves only hosts in certain domains using the tunnel's DNS resolver. The system uses the default resolver for hosts that aren't in one of the domains in this list. If `SupplementalMatchDomains` contains the empty string it becomes the default domain. Split-tunnel configurations can direct all DNS queries to the VPN DNS servers before the primary DNS servers. If the VPN tunnel becomes the network's default ro…",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                    "SupplementalMatchDomainsNoSearch": {
                        "default": False,
                        "help": "If `true`, don't append the domains in the `SupplementalMatchDomains` list to the resolver's list of search domains.",
                        "title": "Supplemental match domains no search",
                        "type": "boolean",
                    },
                },
                "title": "DNS",
                "type": "dictionary",
            },
            "HostName": {
                "help": "The IP address or hostname of the VPN server.",
                "required": True,
                "title": "Host name",
                "type": "string",
            },
            "Idle": {
                "help": "Specifies details about how the system handles idle VPN connections.",
                "keys": {
                    "Disconnect": {
                        "default": False,
                        "help": "If `true`, disconnects after an on-demand connection idles.",
                        "title": "Enable disconnect on idle",
                        "type": "boolean",
                    },
                    "Timer": {
                        "help": "The length of time to wait, in seconds, before disconnecting an on-demand connection.",
                        "title": "Disconnect on idle time",
                        "type": "integer",
                    },
                },
                "title": "Disconnect on idle settings.",
                "type": "dictionary",
            },
            "OnDemand": {
                "help": "Specifies details about how the system controls on-demand VPN.",
                "keys": {
                    "Enabled": {
                        "default": False,
                        "help": "If `true`, enables VPN On Demand.",
                        "title": "Enable VPN on demand",
                        "type": "boolean",
                    },
                    "Rules": {
                        "help": "An array of dictionaries defining On Demand Rules.",
                        "item": {
                            "keys": {
                                "Action": {
                                    "help": "The action to take if this dictionary matches the current network. Possible values are: - `Allow`: Deprecated. Allow VPN On Demand to connect if triggered. - `Connect`: Unconditionally initiate a VPN connection on the next network attempt. - `Disconnect`: Tear down the VPN connection and don't reconnect on demand as long as this dictionary matches. - `EvaluateConnection`: Evaluate the ActionParameters array for each connection attempt. - `Ignore`: Leave any existing VPN connection up, but don't reconnect on demand as long as this dictionary matches.",
                                    "range": [
                                        "Allow",
                                        "Connect",
                                        "Disconnect",
                                        "EvaluateConnection",
                                        "Ignore",
                                    ],
                                    "required": True,
                                    "title": "On demand action",
                                    "type": "string",
                                },
                                "ActionParameters": {
                                    "help": "An array of dictionaries that provides rules similar to the `OnDemandRules` dictionary, but evaluated on each connection instead of when the network changes. This value is only for use with dictionaries in which the `Action` value is `EvaluateConnection`. The system evaluates these dictionaries in order and the first dictionary that matches determines the behavior.",
                                    "item": {
                                        "help": "A dictionary that provides rules similar to the OnDemandRules dictionary, but evaluated on each connection instead of when the network changes. These dictionaries are evaluated in order, and the behavior is determined by the first dictionary that matches. The keys allowed in each dictionary are described below. Note: This array is used only for dictionaries in which EvaluateConnection is the Action value.",
                                        "keys": {
                                            "DomainAction": {
                                                "help": "Defines the VPN behavior for the specified domains. Allowed values are: * 'ConnectIfNeeded': The specified domains should trigger a VPN connection attempt if domain name resolution fails, such as when the DNS server indicates that it can't resolve the domain, responds with a redirection to a different server, or fails to respond (timeout). * 'NeverConnect': The specified domains should never trigger a VPN connection attempt.",
                                                "range": ["ConnectIfNeeded", "NeverConnect"],
                                                "required": True,
                                                "title": "Domain action",
                                                "type": "string",
                                            },
                                            "Domains": {
                                                "help": "The domains to apply this evaluation.",
                                                "item": {
                                                    "title": "Domains element",
                                                    "type": "string",
                                                },
                                                "required": True,
                                                "title": "Domains",
                                                "type": "array",
                                            },
                                            "RequiredDNSServers": {
                                                "help": "An array of IP addresses of DNS servers to use for resolving the specified domains. These servers don't need to be part of the device's current network configuration. If these DNS servers aren't reachable, the system establishes a VPN connection. These DNS servers need to be either internal DNS servers or trusted external DNS servers. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                "item": {
                                                    "title": "Required DNS servers element",
                                                    "type": "string",
                                                },
                                                "title": "Required DNS servers",
                                                "type": "array",
                                            },
                                            "RequiredURLStringProbe": {
                                                "help": "An HTTP or HTTPS (preferred) URL to probe, using a GET request. If the URL's hostname can't be resolved, if the server is unreachable, or if the server doesn't respond with a 200 HTTP status code, a VPN connection is established in response. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                "title": "Required URL string probe",
                                                "type": "string",
                                            },
                                        },
                                        "title": "Action parameter",
                                        "type": "dictionary",
                                    },
                                    "title": "Action parameters",
                                    "type": "array",
                                },
                                "DNSDomainMatch": {
                                    "help": "An array of domain names. This rule matches if any of the domain names in the specified list matches any domain in the device's search domains list. The system supports a wildcard (`\\*`) prefix. For example, `\\*.example.com` matches against either `mydomain.example.com` or `yourdomain.example.com`.",
                                    "item": {"title": "DNS domain match element", "type": "string"},
                                    "title": "DNS domain match",
                                    "type": "array",
                                },
                                "DNSServerAddressMatch": {
                                    "help": "An array of IP addresses. This rule matches if any of the network's specified DNS servers match any entry in the array. The system supports matching with a single wildcard. For example, `17.\\*` matches any DNS server in the `17.0.0.0/8` subnet.",
                                    "item": {
                                        "title": "DNS server address match element",
                                        "type": "string",
                                    },
                                    "title": "DNS server address match",
                                    "type": "array",
                                },
                                "InterfaceTypeMatch": {
                                    "help": "An interface type. If specified, this rule matches only if the primary network interface hardware matches the specified type.",
                                    "range": ["Ethernet", "WiFi", "Cellular"],
                                    "title": "Interface type match",
                                    "type": "string",
                                },
                                "SSIDMatch": {
                                    "help": "An array of SSIDs to match against the current network. If the network isn't a Wi-Fi network or if the SSID doesn't appear in this array, the match fails. Omit this key and the corresponding array to match against any SSID.",
                                    "item": {"title": "SSID match element", "type": "string"},
                                    "title": "SSID match",
                                    "type": "array",
                                },
                                "URLStringProbe": {
                                    "help": "A URL to probe. This rule matches when this URL is successfully fetched (returns a `200` HTTP status code) without redirection.",
                                    "title": "URL string probe",
                                    "type": "string",
                                },
                            },
                            "title": "Rules element",
                            "type": "dictionary",
                        },
                        "title": "On demand rules",
                        "type": "array",
                    },
                },
                "title": "On demand details",
                "type": "dictionary",
            },
            "OverridePrimary": {
                "default": False,
                "help": "If `true`, the system sends all network traffic over VPN.",
                "title": "Override primary connection",
                "type": "boolean",
            },
            "Proxies": {
                "help": "The dictionary to use to configure `Proxies` for use with `VPN`.",
                "keys": {
                    "AutoConfigEnable": {
                        "default": False,
                        "help": "If `true`, enables automatic proxy configuration.",
                        "title": "Proxy auto config enable",
                        "type": "boolean",
                    },
                    "AutoConfigURLString": {
                        "help": "The URL to the location of the proxy auto-configuration file. Used only when `ProxyAutoConfigEnable` is `true`.",
                        "title": "Proxy server URL",
                        "type": "string",
                    },
                    "AutoDiscoveryEnable": {
                        "default": True,
                        "help": "If `true`, enables proxy auto discovery.",
                        "title": "Proxy auto discovery enable",
                        "type": "boolean",
                    },
                    "Protocol": {
                        "help": "The dictionary to use to configure HTTP servers for `Proxies` for use with `VPN`.",
                        "keys": {
                            "CredentialsAssetReference": {
                                "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the proxy server.",
                                "title": "Credentials asset reference",
                                "type": "string",
                            },
                            "HTTP": {
                                "help": "The dictionary to use to configure the HTTP (non-TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTP traffic.",
                                        "title": "Enable HTTP",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTP proxy.",
                                        "title": "HTTP host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTP proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTP port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTP protocol",
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "help": "The dictionary to use to configure the HTTPS (TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTPS traffic.",
                                        "title": "Enable HTTPS",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTPS proxy.",
                                        "title": "HTTPS host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTPS proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTPS port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTPS protocol",
                                "type": "dictionary",
                            },
                        },
                        "title": "Protocol",
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {
                        "help": "An array of domains that defines which hosts use proxy settings for hosts.",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                },
                "title": "Proxies",
                "type": "dictionary",
            },
            "VisibleName": {
                "help": "The name of the VPN connection that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:IPSec",
    },
    "com.apple.configuration.network.vpn.vpn-plugin": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure a VPN using the VPN plugin sub-type.",
        "file": "declarative/declarations/configurations/network.vpn.vpn-plugin.yaml",
        "keys": {
            "Authentication": {
                "help": "Settings that control authentication.",
                "keys": {
                    "CredentialsAssetReference": {
                        "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the VPN server. Required when `Authentication.Method` is set to `Password`.",
                        "title": "Credentials asset reference",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that this account requires to authenticate with the VPN server. Required when `Authentication.Method` is set to `Certificate`.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                    "Method": {
                        "help": "The authentication method to use.",
                        "range": ["Password", "Certificate", "Password+Certificate"],
                        "required": True,
                        "title": "Authentication method",
                        "type": "string",
                    },
                },
                "required": True,
                "title": "Authentication details",
                "type": "dictionary",
            },
            "DNS": {
                "help": "A dictionary to use for all VPN types.",
                "keys": {
                    "DomainName": {
                        "help": "The primary domain of the tunnel.",
                        "title": "Domain name",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that the system uses to authenticate the user to the DNS resolver.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                    "Protocol": {
                        "help": "The transport protocol to communicate with the DNS server.",
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "title": "DNS protocol",
                        "type": "string",
                    },
                    "SearchDomains": {
                        "help": "The list of domain strings used to fully qualify single-label host names.",
                        "item": {"title": "Search domains element", "type": "string"},
                        "title": "DNS search domains",
                        "type": "array",
                    },
                    "ServerAddresses": {
                        "help": "The array of DNS server IP address strings. These IP addresses can be a mixture of IPv4 and IPv6 addresses.",
                        "item": {"title": "Server address element", "type": "string"},
                        "required": True,
                        "title": "DNS server addresses",
                        "type": "array",
                    },
                    "ServerName": {
                        "help": "The hostname of a DNS-over-TLS server to validate the server certificate, as defined in RFC 7858. If `ServerAddresses` isn't specified, the system uses the hostname to determine the server addresses. This key is required if the `DNSProtocol` is `TLS`.",
                        "title": "Server name",
                        "type": "string",
                    },
                    "ServerURL": {
                        "help": "The URI template of a DNS-over-HTTPS server, as defined in RFC 8484, which needs to use the `https://` scheme. The system uses the hostname or address in the URL to validate the server certificate. If `ServerAddresses` isn't specified, the system uses the hostname or address in the URL to determine the server addresses. This key is required if the `DNSProtocol` is `HTTPS`.",
                        "title": "Server URL",
                        "type": "string",
                    },
                    "SupplementalMatchDomains": {
                        "help": "The list of domain strings used to determine which DNS queries use the DNS resolver settings in `ServerAddresses`. The system uses this key to create a split DNS configuration where it resolves only hosts in certain domains using the tunnel's DNS resolver. The system uses the default resolver for hosts that aren't in one of the domains in this list. If `SupplementalMatchDomains` contains the empty string it becomes the default domain. Split-tunnel configurations can direct all DNS queries to the VPN DNS servers before the primary DNS servers. If the VPN tunnel becomes the network's default ro…",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                    "SupplementalMatchDomainsNoSearch": {
                        "default": False,
                        "help": "If `true`, don't append the domains in the `SupplementalMatchDomains` list to the resolver's list of search domains.",
                        "title": "Supplemental match domains no search",
                        "type": "boolean",
                    },
                },
                "title": "DNS",
                "type": "dictionary",
            },
            "HostName": {
                "help": "The IP address or hostname of the VPN server.",
                "required": True,
                "title": "Host name",
                "type": "string",
            },
            "Idle": {
                "help": "Specifies details about how the system handles idle VPN connections.",
                "keys": {
                    "Disconnect": {
                        "default": False,
                        "help": "If `true`, disconnects after an on-demand connection idles.",
                        "title": "Enable disconnect on idle",
                        "type": "boolean",
                    },
                    "Timer": {
                        "help": "The length of time to wait, in seconds, before disconnecting an on-demand connection.",
                        "title": "Disconnect on idle time",
                        "type": "integer",
                    },
                },
                "title": "Disconnect on idle settings.",
                "type": "dictionary",
            },
            "NetworkRouting": {
                "help": "Specifies details about how the VPN routes different types of network traffic.",
                "keys": {
                    "EnforceRoutes": {
                        "default": False,
                        "help": "If `true`, all the VPN's non-default routes take precedence over any locally defined routes. If `IncludeAllNetworks` is `true`, the system ignores the value of `EnforceRoutes`.",
                        "title": "Enforce routes",
                        "type": "boolean",
                    },
                    "ExcludeAPNs": {
                        "default": True,
                        "help": "If `true` and `IncludeAllNetworks` is `true`, then the system excludes the network traffic for the Apple Push Notification service (APNs) from the tunnel.",
                        "title": "Exclude APNs",
                        "type": "boolean",
                    },
                    "ExcludeCellularServices": {
                        "default": True,
                        "help": "If `true` and `IncludeAllNetworks` is `true`, then the system excludes internet-routable network traffic for cellular services (VoLTE, Wi-Fi Calling, IMS, MMS, Visual Voicemail, etc.) from the tunnel. Note that some cellular carriers route cellular services traffic directly to the carrier network, bypassing the internet. Such cellular services traffic is always excluded from the tunnel.",
                        "title": "Exclude cellular services",
                        "type": "boolean",
                    },
                    "ExcludeDeviceCommunication": {
                        "default": True,
                        "help": "If set to `true` and `IncludeAllNetworks` is set to `true`, the device excludes network traffic used for communicating with devices connected via USB or Wi-Fi from the tunnel.",
                        "title": "Exclude device communication",
                        "type": "boolean",
                    },
                    "ExcludeLocalNetworks": {
                        "help": "If `true` and `IncludeAllNetworks` is `true`, routes all local network traffic outside the VPN.",
                        "title": "Exclude local networks",
                        "type": "boolean",
                    },
                    "IncludeAllNetworks": {
                        "default": False,
                        "help": "If `true`, routes all traffic through the VPN, with some exclusions. Several of the exclusions can be controlled with the `ExcludeLocalNetworks`, `ExcludeCellularServices`, `ExcludeAPNs` and `ExcludeDeviceCommunication` properties. The following traffic is always excluded from the tunnel: - Traffic necessary for connecting and maintaining the device's network connection, such as DHCP. - Traffic necessary for connecting to captive networks. - Certain cellular services traffic that's not routable over the internet and is instead directly routed to the cellular network. See the ExcludeCellularSe…",
                        "title": "Include all networks",
                        "type": "boolean",
                    },
                },
                "title": "Network routing details",
                "type": "dictionary",
            },
            "OnDemand": {
                "help": "Specifies details about how the system controls on-demand VPN.",
                "keys": {
                    "DisableUserOverride": {
                        "default": False,
                        "help": "If `true`, the device disables the Connect On Demand toggle in Settings for this configuration.",
                        "title": "Prevent users from toggling VPN on demand",
                        "type": "boolean",
                    },
                    "Enabled": {
                        "default": False,
                        "help": "If `true`, enables VPN On Demand.",
                        "title": "Enable VPN on demand",
                        "type": "boolean",
                    },
                    "Rules": {
                        "help": "An array of dictionaries defining On Demand Rules.",
                        "item": {
                            "keys": {
                                "Action": {
                                    "help": "The action to take if this dictionary matches the current network. Possible values are: - `Allow`: Deprecated. Allow VPN On Demand to connect if triggered. - `Connect`: Unconditionally initiate a VPN connection on the next network attempt. - `Disconnect`: Tear down the VPN connection and don't reconnect on demand as long as this dictionary matches. - `EvaluateConnection`: Evaluate the ActionParameters array for each connection attempt. - `Ignore`: Leave any existing VPN connection up, but don't reconnect on demand as long as this dictionary matches.",
                                    "range": [
                                        "Allow",
                                        "Connect",
                                        "Disconnect",
                                        "EvaluateConnection",
                                        "Ignore",
                                    ],
                                    "required": True,
                                    "title": "On demand action",
                                    "type": "string",
                                },
                                "ActionParameters": {
                                    "help": "An array of dictionaries that provides rules similar to the `OnDemandRules` dictionary, but evaluated on each connection instead of when the network changes. This value is only for use with dictionaries in which the `Action` value is `EvaluateConnection`. The system evaluates these dictionaries in order and the first dictionary that matches determines the behavior.",
                                    "item": {
                                        "help": "A dictionary that provides rules similar to the OnDemandRules dictionary, but evaluated on each connection instead of when the network changes. These dictionaries are evaluated in order, and the behavior is determined by the first dictionary that matches. The keys allowed in each dictionary are described below. Note: This array is used only for dictionaries in which EvaluateConnection is the Action value.",
                                        "keys": {
                                            "DomainAction": {
                                                "help": "Defines the VPN behavior for the specified domains. Allowed values are: * 'ConnectIfNeeded': The specified domains should trigger a VPN connection attempt if domain name resolution fails, such as when the DNS server indicates that it can't resolve the domain, responds with a redirection to a different server, or fails to respond (timeout). * 'NeverConnect': The specified domains should never trigger a VPN connection attempt.",
                                                "range": ["ConnectIfNeeded", "NeverConnect"],
                                                "required": True,
                                                "title": "Domain action",
                                                "type": "string",
                                            },
                                            "Domains": {
                                                "help": "The domains to apply this evaluation.",
                                                "item": {
                                                    "title": "Domains element",
                                                    "type": "string",
                                                },
                                                "required": True,
                                                "title": "Domains",
                                                "type": "array",
                                            },
                                            "RequiredDNSServers": {
                                                "help": "An array of IP addresses of DNS servers to use for resolving the specified domains. These servers don't need to be part of the device's current network configuration. If these DNS servers aren't reachable, the system establishes a VPN connection. These DNS servers need to be either internal DNS servers or trusted external DNS servers. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                "item": {
                                                    "title": "Required DNS servers element",
                                                    "type": "string",
                                                },
                                                "title": "Required DNS servers",
                                                "type": "array",
                                            },
                                            "RequiredURLStringProbe": {
                                                "help": "An HTTP or HTTPS (preferred) URL to probe, using a GET request. If the URL's hostname can't be resolved, if the server is unreachable, or if the server doesn't respond with a 200 HTTP status code, a VPN connection is established in response. This key is valid only if the value of 'DomainAction' is 'ConnectIfNeeded'.",
                                                "title": "Required URL string probe",
                                                "type": "string",
                                            },
                                        },
                                        "title": "Action parameter",
                                        "type": "dictionary",
                                    },
                                    "title": "Action parameters",
                                    "type": "array",
                                },
                                "DNSDomainMatch": {
                                    "help": "An array of domain names. This rule matches if any of the domain names in the specified list matches any domain in the device's search domains list. The system supports a wildcard (`\\*`) prefix. For example, `\\*.example.com` matches against either `mydomain.example.com` or `yourdomain.example.com`.",
                                    "item": {"title": "DNS domain match element", "type": "string"},
                                    "title": "DNS domain match",
                                    "type": "array",
                                },
                                "DNSServerAddressMatch": {
                                    "help": "An array of IP addresses. This rule matches if any of the network's specified DNS servers match any entry in the array. The system supports matching with a single wildcard. For example, `17.\\*` matches any DNS server in the `17.0.0.0/8` subnet.",
                                    "item": {
                                        "title": "DNS server address match element",
                                        "type": "string",
                                    },
                                    "title": "DNS server address match",
                                    "type": "array",
                                },
                                "InterfaceTypeMatch": {
                                    "help": "An interface type. If specified, this rule matches only if the primary network interface hardware matches the specified type.",
                                    "range": ["Ethernet", "WiFi", "Cellular"],
                                    "title": "Interface type match",
                                    "type": "string",
                                },
                                "SSIDMatch": {
                                    "help": "An array of SSIDs to match against the current network. If the network isn't a Wi-Fi network or if the SSID doesn't appear in this array, the match fails. Omit this key and the corresponding array to match against any SSID.",
                                    "item": {"title": "SSID match element", "type": "string"},
                                    "title": "SSID match",
                                    "type": "array",
                                },
                                "URLStringProbe": {
                                    "help": "A URL to probe. This rule matches when this URL is successfully fetched (returns a `200` HTTP status code) without redirection.",
                                    "title": "URL string probe",
                                    "type": "string",
                                },
                            },
                            "title": "Rules element",
                            "type": "dictionary",
                        },
                        "title": "On demand rules",
                        "type": "array",
                    },
                },
                "title": "On demand details",
                "type": "dictionary",
            },
            "Provider": {
                "help": "Specifies details about the provider.",
                "keys": {
                    "ComposedIdentifier": {
                        "help": "If the `SubType` field contains the bundle identifier of an app that contains multiple VPN providers of the same type (app-proxy or packet-tunnel), then the system uses this field to choose which provider to use for this configuration. If the VPN provider is implemented as a System Extension, then this field is required. In iOS, tvOS, and visionOS, the identifier is a bundle ID, for example, 'com.example.app'. In macOS, the identifier is a composed identifier. The format of the composed identifier is either 'Bundle-ID' or 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identif…",
                        "title": "Composed identifier",
                        "type": "string",
                    },
                    "Type": {
                        "default": "packet-tunnel",
                        "help": "The type of VPN service. If the value is `app-proxy`, the service tunnels traffic at the app level. If the value is `packet-tunnel`, the service tunnels traffic at the IP layer.",
                        "range": ["packet-tunnel", "app-proxy"],
                        "title": "Type",
                        "type": "string",
                    },
                },
                "title": "Provider details",
                "type": "dictionary",
            },
            "Proxies": {
                "help": "The dictionary to use to configure `Proxies` for use with `VPN`.",
                "keys": {
                    "AutoConfigEnable": {
                        "default": False,
                        "help": "If `true`, enables automatic proxy configuration.",
                        "title": "Proxy auto config enable",
                        "type": "boolean",
                    },
                    "AutoConfigURLString": {
                        "help": "The URL to the location of the proxy auto-configuration file. Used only when `ProxyAutoConfigEnable` is `true`.",
                        "title": "Proxy server URL",
                        "type": "string",
                    },
                    "AutoDiscoveryEnable": {
                        "default": True,
                        "help": "If `true`, enables proxy auto discovery.",
                        "title": "Proxy auto discovery enable",
                        "type": "boolean",
                    },
                    "Protocol": {
                        "help": "The dictionary to use to configure HTTP servers for `Proxies` for use with `VPN`.",
                        "keys": {
                            "CredentialsAssetReference": {
                                "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the proxy server.",
                                "title": "Credentials asset reference",
                                "type": "string",
                            },
                            "HTTP": {
                                "help": "The dictionary to use to configure the HTTP (non-TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTP traffic.",
                                        "title": "Enable HTTP",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTP proxy.",
                                        "title": "HTTP host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTP proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTP port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTP protocol",
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "help": "The dictionary to use to configure the HTTPS (TLS) server.",
                                "keys": {
                                    "Enable": {
                                        "default": False,
                                        "help": "If `true`, enables proxy for HTTPS traffic.",
                                        "title": "Enable HTTPS",
                                        "type": "boolean",
                                    },
                                    "HostName": {
                                        "help": "The host name of the HTTPS proxy.",
                                        "title": "HTTPS host name",
                                        "type": "string",
                                    },
                                    "Port": {
                                        "help": "The port number of the HTTPS proxy. This field is required if `HostName` is specified.",
                                        "max": 65535,
                                        "min": 0,
                                        "title": "HTTPS port",
                                        "type": "integer",
                                    },
                                },
                                "title": "HTTPS protocol",
                                "type": "dictionary",
                            },
                        },
                        "title": "Protocol",
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {
                        "help": "An array of domains that defines which hosts use proxy settings for hosts.",
                        "item": {"title": "Supplemental match domains element", "type": "string"},
                        "title": "Supplemental match domains",
                        "type": "array",
                    },
                },
                "title": "Proxies",
                "type": "dictionary",
            },
            "SubType": {
                "help": "An identifier for a vendor-specified configuration dictionary. If the configuration targets a VPN solution that uses a VPN plugin, then this field contains the bundle identifier of the plugin. Here are some examples: - Cisco AnyConnect: `com.cisco.anyconnect.applevpn.plugin` - Juniper SSL: `net.juniper.sslvpn` - F5 SSL: `com.f5.F5-Edge-Client.vpnplugin` - SonicWALL Mobile Connect: `com.sonicwall.SonicWALL-SSLVPN.vpnplugin` - ``Aruba VIA: `com.arubanetworks.aruba-via.vpnplugin` If the configuration targets a VPN solution that uses a network extension provider, then this field contains the bund…",
                "required": True,
                "title": "VPN subtype",
                "type": "string",
            },
            "VendorConfig": {
                "help": "The vendor-specific configuration dictionary, which the system reads only when `SubType` has a value.",
                "keys": {
                    "Group": {
                        "help": "The group to connect to on the head end. Valid for Cisco AnyConnect and Cisco Legacy AnyConnect.",
                        "title": "Group",
                        "type": "string",
                    },
                    "LoginGroupOrDomain": {
                        "help": "The login group or domain. Valid only for SonicWALL Mobile Connect.",
                        "title": "Login group or domain",
                        "type": "string",
                    },
                    "Realm": {
                        "help": "The Kerberos realm name, which needs to be properly capitalized. Valid only for Juniper SSL and Pulse Secure.",
                        "title": "Realm",
                        "type": "string",
                    },
                    "Role": {
                        "help": "The role to select when connecting to the server. Valid only for Juniper SSL and Pulse Secure.",
                        "title": "Role",
                        "type": "string",
                    },
                },
                "title": "Vendor configuration dictionary",
                "type": "dictionary",
            },
            "VisibleName": {
                "help": "The name of the VPN connection that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:VPN Plugin",
    },
    "com.apple.configuration.package": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to install a package.",
        "file": "declarative/declarations/configurations/package.yaml",
        "keys": {
            "InstallBehavior": {
                "help": "A dictionary that describes how and when to install the package.",
                "keys": {
                    "Install": {
                        "default": "Optional",
                        "help": "A string that specifies when the system installs the package: - `Optional`: The user can install the package after the system activates the configuration. - `Required`: The system installs the package after it activates the configuration.",
                        "range": ["Optional", "Required"],
                        "title": "Install",
                        "type": "string",
                    },
                },
                "title": "Install Behavior",
                "type": "dictionary",
            },
            "ManifestURL": {
                "help": "The URL of the manifest document for the package that the device downloads. The manifest is returned as a `ManifestURL` property list. The `url` property of the manifest must point to the package (.pkg) file to install.",
                "required": True,
                "title": "Manifest URL",
                "type": "string",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {"enrollments": ["supervised"], "introduced": "26.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Package",
    },
    "com.apple.configuration.passcode.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "The declaration to configure passcode policy settings.",
        "file": "declarative/declarations/configurations/passcode.settings.yaml",
        "keys": {
            "ChangeAtNextAuth": {
                "default": False,
                "help": "If `true`, the system forces a password reset the next time the user tries to authenticate. If you set this key in a configuration in the system scope (device channel), the setting takes effect for all users, and admin authentication may fail until the admin user password is also reset.",
                "not_user": {"iOS": "platform", "visionOS": "platform"},
                "title": "Change At Next Auth",
                "type": "boolean",
            },
            "CustomRegex": {
                "help": "Specifies a regular expression, and its description, to enforce password compliance. Use the simpler passcode settings whenever possible, and rely on regular expression matching only when necessary. Mistakes in regular expressions can lead to frustrating user experiences, such as unsatisfiable passcode policies, or policy descriptions that don't match the enforced policy.",
                "keys": {
                    "Description": {
                        "free": True,
                        "help": "A dictionary with supported OS language IDs for the keys (such as `en-US`), and values that represent a localized description of the policy that the regular expression enforces. Use the special `default` key for languages that the dictionary doesn't contain.",
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
                "help": "The number of minutes before the login is reset after the maximum number of failed attempts. Also set the `MaximumFailedAttempts` key for this to take effect.",
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
                "help": "The maximum period that a user can select, during which the user can unlock the device without a passcode. A value of `0` means no grace period, and the device requires a passcode immediately. In the absence of this key, the user can select any period. In macOS, the system translates this to screensaver settings.",
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
                "help": "Specifies the minimum number of complex characters in the password. A complex character is a character other than a number or a letter, such as `&`, `%`, `$`, and `#`.",
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
                "help": "If `true`, the passcode needs to consist of at least one alphabetic character and at least one number.",
                "title": "Require Alphanumeric Passcode",
                "type": "boolean",
            },
            "RequireComplexPasscode": {
                "default": False,
                "help": "If `true`, the system requires a complex passcode. A complex passcode is one that doesn't contain repeated characters or increasing or decreasing characters (such as 123 or CBA).",
                "title": "Require Complex Passcode",
                "type": "boolean",
            },
            "RequirePasscode": {
                "default": False,
                "help": "If `true`, the system requires the user to set a passcode without any requirements about the length or quality of the passcode. The presence of any other keys implicitly requires a passcode, and overrides this key's value.",
                "title": "Require Passcode on Device",
                "type": "boolean",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
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
        "description": "The declaration to configure Safari Extensions.",
        "file": "declarative/declarations/configurations/safari.extensions.settings.yaml",
        "keys": {
            "ManagedExtensions": {
                "free": True,
                "help": "The dictionary of managed extensions settings. Each key in the dictionary represents a composed identifier for a specific managed extension, or you can specify a single '*' character to match any extension. The dictionary values represent the settings that Safari applies to each extension that matches the key. In order for the extension to be managed, its host app needs to be present on the device. The composed identifier of a managed extension uses the format 'Identifier (TeamIdentifier)', for example 'com.example.app (ABCD1234)'. Use `codesign -dv <path_to_appex>` to show the information yo…",
                "title": "Managed extensions",
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"enrollments": ["supervised"], "introduced": "26.0", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "Safari:Extension Settings",
    },
    "com.apple.configuration.safari.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "The declaration to configure Safari settings.",
        "file": "declarative/declarations/configurations/safari.settings.yaml",
        "keys": {
            "AcceptCookies": {
                "default": "Always",
                "help": "The policy Safari uses for managing cookies: - `Never`: Safari always blocks cookies. - `CurrentWebsite`: Safari allows cookies only from the current website. - `VisitedWebsites`: Safari allows cookies only from visited websites. - `Always`: Safari always allows cookies.",
                "range": ["Never", "CurrentWebsite", "VisitedWebsites", "Always"],
                "title": "Accept cookies",
                "type": "string",
            },
            "AllowDisablingFraudWarning": {
                "default": True,
                "help": "If `false`, the system forces fraud warnings on in Safari.",
                "title": "Allow disabling fraud warning",
                "type": "boolean",
            },
            "AllowHistoryClearing": {
                "default": True,
                "help": "If `false`, the system disables clearing history in Safari.",
                "title": "Allow history clearing",
                "type": "boolean",
            },
            "AllowJavaScript": {
                "default": True,
                "help": "If `false`, the system disables JavaScript in Safari.",
                "title": "Allow JavaScript",
                "type": "boolean",
            },
            "AllowPopups": {
                "default": True,
                "help": "If `false`, the system disables popups in Safari.",
                "title": "Allow popups",
                "type": "boolean",
            },
            "AllowPrivateBrowsing": {
                "default": True,
                "help": "If `false`, the system disables private browsing in Safari.",
                "title": "Allow private browsing",
                "type": "boolean",
            },
            "AllowSummary": {
                "default": True,
                "help": "If `false`, the system disables summarization of content in Safari.",
                "title": "Allow summary",
                "type": "boolean",
            },
            "NewTabStartPage": {
                "help": "Sets the start page for new tabs in Safari.",
                "keys": {
                    "ExtensionIdentifier": {
                        "help": "The composed identifier of the extension that provides the start page. The required format is 'Identifier (TeamIdentifier)', for example 'com.example.app (ABCD1234)'. Required when setting `PageType` to `Extension`.",
                        "title": "The extension identifier.",
                        "type": "string",
                    },
                    "HomepageURL": {
                        "help": "The URL of the homepage which needs to start with `https://` or `http://`. Required when setting `PageType` to `Home`.",
                        "title": "The homepage URL.",
                        "type": "string",
                    },
                    "PageType": {
                        "help": "Sets the start page type in Safari: - `Start` - Safari uses the default start page. Safari disables the Homepage. - `Home` - Safari uses the page specified by `HomepageURL`, and Safari also sets that as the Homepage. - `Extension` - Safari uses the page specified by the Safari extension whose identifier is `ExtensionIdentifier`. Safari disables the Homepage.",
                        "range": ["Start", "Home", "Extension"],
                        "required": True,
                        "title": "Page type",
                        "type": "string",
                    },
                },
                "title": "New tab start page",
                "type": "dictionary",
            },
            "Privacy": {
                "help": "The dictionary of website privacy settings.",
                "keys": {
                    "PermissionDefaults": {
                        "free": True,
                        "help": "The dictionary of website permission defaults. Each key in the dictionary represents a single website, or a website and its sub-domains. The dictionary values represent the permission defaults that Safari applies for each website that matches the key. Safari supports the following patterns for the website key: - A specific domain such as 'example.com' or 'www.example.com'. The permission defaults apply to that website only. - A wildcard domain that uses a single '\\*' character as a prefix for the domain, such as '\\*example.com'. The permission defaults apply to both the exact domain 'example.…",
                        "title": "Website privacy permission defaults",
                        "type": "dictionary",
                    },
                },
                "title": "Website privacy",
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "26.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Safari:Settings",
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": [],
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
        "description": "The declaration to configure background tasks.",
        "file": "declarative/declarations/configurations/services.background-tasks.yaml",
        "keys": {
            "ExecutableAssetReference": {
                "help": "Specifies the identifier of an asset declaration containing a reference to the files to be used for the background task configuration. The corresponding asset must be of type `com.apple.asset.data`. The referenced data must be a zip archive of an entire directory, that will be expanded and stored in a well known location for the background task. The asset's 'ContentType' and 'Hash-SHA-256' keys in the 'Reference' key are required. This file should contain background task executables, scripts, and configuration files, but not the `launchd` configuration files.",
                "title": "Executable Asset Reference",
                "type": "string",
            },
            "LaunchdConfigurations": {
                "help": "An array of `launchd` configuration files used to run the background tasks.",
                "item": {
                    "help": "A dictionary of launchd configurations.",
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
                "help": "The unique identifier of the set of background tasks managed with this configuration. This should be a reverse DNS style identifier. The system uses this identifier to differentiate between tasks in different configurations.",
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
    "com.apple.configuration.siri.settings": {
        "apply": "combined",
        "class": "configuration",
        "description": "The declaration to configure Siri settings.",
        "file": "declarative/declarations/configurations/siri.settings.yaml",
        "keys": {
            "AllowSiriAI": {
                "default": True,
                "help": "If `false`, disables the Siri AI specific features of Siri.",
                "title": "Allow Siri AI",
                "type": "boolean",
            },
            "AllowUserGeneratedContent": {
                "default": True,
                "help": "If `false`, disables Siri user-generated content.",
                "title": "Allow user generated content",
                "type": "boolean",
            },
            "AllowWhileLocked": {
                "default": True,
                "help": "If `false`, disables Siri while locked.",
                "title": "Allow while locked",
                "type": "boolean",
            },
            "Enabled": {
                "default": True,
                "help": "If `false`, disables Siri.",
                "title": "Enabled",
                "type": "boolean",
            },
            "ForceProfanityFilter": {
                "default": False,
                "help": "If `true`, forces Siri profanity filter.",
                "title": "Force profanity filter",
                "type": "boolean",
            },
            "ForceReduceSensitiveContent": {
                "default": False,
                "help": "If `true`, forces Siri to reduce sensitive content.",
                "title": "Force reduce sensitive content",
                "type": "boolean",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system", "user"],
            },
            "tvOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "visionOS": {"enrollments": ["supervised"], "introduced": "26.4", "scopes": ["system"]},
            "watchOS": {"enrollments": ["supervised"], "introduced": "26.4", "scopes": ["system"]},
        },
        "title": "Siri Settings",
    },
    "com.apple.configuration.softwareupdate.enforcement.specific": {
        "apply": "multiple",
        "class": "configuration",
        "description": "A software update enforcement policy for a specific OS release.",
        "file": "declarative/declarations/configurations/softwareupdate.enforcement.specific.yaml",
        "keys": {
            "DetailsURL": {
                "help": "The URL of a web page that shows details that the organization provides about the enforced update.",
                "title": "Details URL",
                "type": "string",
            },
            "TargetBuildVersion": {
                "help": "The target build version to update the device to by the appropriate time, for example, `20A242`. The system uses the build version for testing during seeding periods. The build version can include a supplemental version identifier, for example, `20A242a`. If the build version isn't consistent with the target OS version specified in the `TargetOSVersion` key, the target OS version takes precedence.",
                "title": "Target Build Version",
                "type": "string",
            },
            "TargetLocalDateTime": {
                "help": "The local date time value that specifies when to force install the software update. Use the format `yyyy-mm-ddThh:mm:ss`, which is derived from RFC3339 but doesn't include a time zone offset. If the user doesn't trigger the software update before this time, the device force installs it.",
                "required": True,
                "title": "Target Local Date Time",
                "type": "string",
            },
            "TargetOSVersion": {
                "help": "The target OS version to update the device to by the appropriate time. This is the OS version number, for example, `16.1`.",
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
                "sharedipad_scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "18.4",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
            },
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
                "sharedipad_scopes": ["system"],
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
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Watch:Enrollment",
    },
    "com.apple.configuration.webcontent-filter.plugin": {
        "apply": "multiple",
        "class": "configuration",
        "description": "The declaration to configure a WebContent Filter that uses a plugin.",
        "file": "declarative/declarations/configurations/webcontent-filter.plugin.yaml",
        "keys": {
            "Authentication": {
                "help": "Settings that control authentication.",
                "keys": {
                    "CredentialsAssetReference": {
                        "help": "The identifier of an asset declaration that contains the credentials (user name and password) to authenticate with the service.",
                        "title": "Credentials asset reference",
                        "type": "string",
                    },
                    "IdentityAssetReference": {
                        "help": "The identifier of a credential asset declaration that contains the identity that this account requires to authenticate with the service.",
                        "title": "Identity asset reference",
                        "type": "string",
                    },
                },
                "title": "Authentication details",
                "type": "dictionary",
            },
            "ContentFilterUUID": {
                "help": "A globally unique identifier for this content filter configuration. The content filter processes network traffic for managed apps with the same `ContentFilterUUID` in their app attributes. This key must be present for unsupervised devices and user enrollment.",
                "title": "Content filter UUID",
                "type": "string",
            },
            "Filter": {
                "help": "Settings that control authentication.",
                "keys": {
                    "Browsers": {
                        "help": "Settings that control the browser filter. If not present, the system doesn't use browser filtering.",
                        "keys": {
                            "Enabled": {
                                "help": "If `true`, the system enables filtering WebKit traffic.",
                                "required": True,
                                "title": "Enable browser filter",
                                "type": "boolean",
                            },
                        },
                        "title": "Browser filter details",
                        "type": "dictionary",
                    },
                    "Grade": {
                        "default": "firewall",
                        "help": "The system uses this value to derive the relative order of content filters. Filters with a grade of `firewall` see network traffic before filters with a grade of `inspector`. However, the system doesn't define the order of filters within a grade.",
                        "not_user": {"iOS": "platform", "visionOS": "platform"},
                        "range": ["firewall", "inspector"],
                        "title": "Filter grade",
                        "type": "string",
                    },
                    "Packets": {
                        "help": "Settings that control the packet filter. If not present, the system doesn't use packet filtering.",
                        "keys": {
                            "Enabled": {
                                "help": "If `true`, the system enables filtering network packets.",
                                "required": True,
                                "title": "Enable packet filter",
                                "type": "boolean",
                            },
                            "ProviderComposedIdentifier": {
                                "help": "The packet provider identifier. This string identifies the filter data provider when the filter starts running. Required when Enabled is true. The identifier is a composed identifier. The format of the composed identifier is 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identifier string of the provider. 'Designated-Requirement' is the designated requirement string from the code signature of the provider. For example, 'com.example.app {anchor apple generic}'.",
                                "title": "Packet provider composed identifier",
                                "type": "string",
                            },
                        },
                        "not_user": {"iOS": "platform", "visionOS": "platform"},
                        "title": "Packet filter details",
                        "type": "dictionary",
                    },
                    "Sockets": {
                        "help": "Settings that control the socket filter. If not present, the system doesn't use socket filtering.",
                        "keys": {
                            "Enabled": {
                                "help": "If `true`, enables the filtering of socket traffic.",
                                "required": True,
                                "title": "Enable socket filter",
                                "type": "boolean",
                            },
                            "ProviderComposedIdentifier": {
                                "help": "The data provider identifier. This string identifies the filter data provider when the filter starts running. Required when Enabled is true. In iOS and visionOS, the identifier is a bundle ID, for example, 'com.example.app'. In macOS, the identifier is a composed identifier. The format of the composed identifier is 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identifier string of the provider. 'Designated-Requirement' is the designated requirement string from the code signature of the provider. For example, 'com.example.app {anchor apple generic}'.",
                                "title": "Data provider composed identifier",
                                "type": "string",
                            },
                        },
                        "title": "Socket filter details",
                        "type": "dictionary",
                    },
                    "URLs": {
                        "help": "Settings that control the URL filter. If not present, the system doesn't use URL filtering.",
                        "keys": {
                            "Enabled": {
                                "help": "If `true`, the system filters URL requests.",
                                "required": True,
                                "title": "Enable URL filter",
                                "type": "boolean",
                            },
                            "Parameters": {
                                "help": "A dictionary containing URL filter parameters. Required when `Enabled` is `true`.",
                                "keys": {
                                    "FailClosed": {
                                        "default": False,
                                        "help": "If `true`, the system blocks URLs if the filter is enabled, but it fails to make any filtering decision; for example, if there's a communication failure with the PIR server. If `false`, the system allows URLs if the filter is enabled, but it fails to make any filtering decision.",
                                        "title": "URL filter fail closed",
                                        "type": "boolean",
                                    },
                                    "PIR": {
                                        "help": "A dictionary containing Private Information Retrieval server settings.",
                                        "keys": {
                                            "AuthenticationTokenAssetReference": {
                                                "help": "The identifier of an asset declaration containing the HTTP bearer token required to authenticate with the service. The bearer token is provided in the `Password` field of the asset data. The system uses this token to attest that it's a valid user when requesting anonymous authentication tokens for PIR exchanges.",
                                                "title": "Authentication token asset reference",
                                                "type": "string",
                                            },
                                            "PrivacyPassIssuerURL": {
                                                "help": "The URL containing the domain name of Privacy Pass Issuer.",
                                                "required": True,
                                                "title": "Privacy pass issuer URL",
                                                "type": "string",
                                            },
                                            "ServerURL": {
                                                "help": "The URL containing the domain name of the private information retrieval server.",
                                                "required": True,
                                                "title": "Private information retrieval server URL",
                                                "type": "string",
                                            },
                                        },
                                        "required": True,
                                        "title": "Private information retrieval server settings.",
                                        "type": "dictionary",
                                    },
                                    "PrefilterFetchFrequency": {
                                        "default": 86400,
                                        "help": "The time interval in seconds that the system uses to periodically run the `NEURLFilterControlProvider` app extension. The default value is 86400 seconds (1 day). The minimum allowed value is 2700 seconds (45 minutes). The system allows `NEURLFilterControlProvider` implementations to download prefilter Bloom filter data onto the device periodically at the specified interval. Implementations need to allow for a slight difference between the scheduled time and the actual runtime of the task, due to the scheduling mechanism on the system.",
                                        "min": 2700,
                                        "title": "Prefilter fetch frequency",
                                        "type": "integer",
                                    },
                                    "ProviderComposedIdentifier": {
                                        "help": "The URL filter control provider identifier. This string identifies the filter data provider when the filter starts running. Required when Enabled is true. In iOS, the identifier is a bundle ID, for example, 'com.example.app'. In macOS, the identifier is a composed identifier. The format of the composed identifier is 'Bundle-ID {Designated-Requirement}'. 'Bundle-ID' is the bundle identifier string of the provider. 'Designated-Requirement' is the designated requirement string from the code signature of the provider. For example, 'com.example.app {anchor apple generic}'.",
                                        "required": True,
                                        "title": "Control provider composed identifier",
                                        "type": "string",
                                    },
                                },
                                "title": "URL filter parameters.",
                                "type": "dictionary",
                            },
                        },
                        "not_user": {"visionOS": "platform"},
                        "title": "URL filter details",
                        "type": "dictionary",
                    },
                },
                "title": "Filter details",
                "type": "dictionary",
            },
            "Organization": {
                "help": "The organization string to pass to the third-party plug-in.",
                "title": "Organization",
                "type": "string",
            },
            "PluginBundleID": {
                "help": "The bundle ID of the plug-in that provides filtering service. Consult your filtering solution vendor to determine what to specify for this value.",
                "required": True,
                "title": "Plugin bundle ID",
                "type": "string",
            },
            "ServerAddress": {
                "help": "The server address, which may be the IP address, hostname, or URL.",
                "title": "Server address",
                "type": "string",
            },
            "VendorConfig": {
                "free": True,
                "help": "The custom dictionary that the filtering service plug-in needs.",
                "title": "Vendor config",
                "type": "dictionary",
            },
            "VisibleName": {
                "help": "The name of the web content filter that the system displays on the device.",
                "required": True,
                "title": "Visible name",
                "type": "string",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "WebContentFilter:Plugin",
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["user"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
                "sharedipad_scopes": ["system", "user"],
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
