package api

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/monimekit/monime-go/gen"
)

// A list cursor names the position of the last object of a page: its
// creation number (Stored.Seq), which never changes and never shifts when
// objects are created or deleted meanwhile. It also names the space, so a cursor cannot
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
		return 0, validationError("the after cursor is not one this API issued; pass pagination.next of the previous page unchanged, or omit after to start from the newest",
			detail("after", "is not a cursor this API issued"))
	}
	if cursorSpace != space {
		return 0, validationError("the after cursor belongs to another space; a cursor only pages the space whose list returned it",
			detail("after", "belongs to another space"))
	}
	return seq, nil
}

// pageRequest reads a list's limit (1 to 50, default 10) and after cursor,
// or returns the 400 that says what is wrong with them.
func pageRequest(space string, limit *int, after *string) (int, uint64, *apiError) {
	n := defaultListLimit
	if limit != nil {
		n = *limit
	}
	if n < 1 || n > maxListLimit {
		return 0, 0, validationError(fmt.Sprintf("limit must be 1 to %d, got %d", maxListLimit, n), detail("limit", fmt.Sprintf("must be 1 to %d", maxListLimit)))
	}
	if after == nil || *after == "" {
		return n, 0, nil
	}
	seq, e := decodeCursor(space, *after)
	return n, seq, e
}

// pageInfo is the pagination of a page of count items whose last is
// numbered last; more says whether older items follow.
func pageInfo(space string, count int, last uint64, more bool) gen.Pagination {
	p := gen.Pagination{Count: count}
	if more {
		next := encodeCursor(space, last)
		p.Next = &next
	}
	return p
}
