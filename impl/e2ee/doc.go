// Package e2ee holds end-to-end encryption's server side: devices' identity,
// one-time and fallback keys (upload, query, atomic claim), cross-signing
// keys and signatures, device lists (who must re-fetch whose keys), to-device
// messages, server-side key backup and dehydrated devices (MSC3814).
//
// Signed JSON is stored as the bytes clients uploaded and served back as
// they are; signatures uploaded later are merged into the served bytes
// without decoding the object. Every change a client syncs (a to-device
// message, a device list change) takes a position in the one stream
// (impl/stream) and is announced to the waiting syncs it concerns.
//
// The client API adapters call the Service; /sync reads SyncSections;
// impl/accounts calls DeviceHook in the transactions that delete or rename
// devices. Users of other servers are reached through Remote, which
// federation will implement; without it they are reported as failures.
package e2ee
