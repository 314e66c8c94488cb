// Package directory holds the room directory of the client-server API: the
// local room alias map as clients manage it (who may set and delete
// aliases), the visibility of rooms in the public room list, the list
// itself (filtered, paginated, largest rooms first), room summaries
// (previews of rooms without joining them) and space hierarchies (the
// rooms under a space that a user may see). The client API adapter calls
// it; it reads rooms through impl/rooms and keeps a cache of room
// summaries (room_summaries), recomputed from a room's current state when
// that state has moved on, so that the write path does nothing for it.
//
// Other servers' aliases, lists and rooms need federation, which hearth
// does not speak yet: they go to a Remote when one is given, and are not
// found (or refused) otherwise.
package directory
