package api

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// A list cursor names the position of the last session of a page: its
// creation number, which never changes and never shifts when sessions are
// created or deleted meanwhile. It also names the space, so a cursor cannot
// be used in another one. On the wire it is opaque: base64url of
// "<number>:<space>".

func encodeCursor(space string, seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(seq, 10) + ":" + space))
}

// decodeCursor returns the creation number a cursor of space points at, or a
// 400 that says what is wrong with it.
func decodeCursor(space, cursor string) (uint64, *apiError) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	num, cursorSpace, found := strings.Cut(string(raw), ":")
	seq, perr := strconv.ParseUint(num, 10, 64)
	if err != nil || !found || perr != nil || seq == 0 {
		return 0, validationError("the after cursor is not one this API issued; pass pagination.next of the previous page unchanged, or omit after to start from the newest session",
			detail("after", "is not a cursor this API issued"))
	}
	if cursorSpace != space {
		return 0, validationError("the after cursor belongs to another space; a cursor only pages the space whose list returned it",
			detail("after", "belongs to another space"))
	}
	return seq, nil
}
