package monime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// ReceiptsService reads what a paid order entitles its customer to, and
// redeems it (a ticket at the gate, a T-shirt at the stall). Receipts
// arrived in API release caph.2025-08-23: under caph.2025-06-20 every call
// is refused before sending. Reach it as Client.Receipts.
type ReceiptsService service

var (
	receipts = resource[receiptJSON, Receipt, *receiptJSON]{name: "Receipts", what: "receipt", path: "/v1/receipts",
		id: func(r *Receipt) string { return r.OrderNumber }}
	redemptions = resource[redemptionJSON, redemption, *redemptionJSON]{name: "Receipts", what: "redemption", path: "/v1/receipts",
		id: func(r *redemption) string { return r.Receipt.OrderNumber }}
)

// Get returns the receipt of the order orderNumber, a paid checkout
// session's OrderNumber (RetrieveReceipt, GET /v1/receipts/{orderNumber}).
// An unknown order is an error matching ErrNotFound.
func (s *ReceiptsService) Get(ctx context.Context, orderNumber string, opts ...CallOption) (*Receipt, error) {
	if err := checkOrderNumber("Receipts.Get", orderNumber); err != nil {
		return nil, err
	}
	return receipts.get(ctx, clientOf(s), orderNumber, &receiptQuery{}, func(server string) (*http.Request, error) {
		return gen.NewRetrieveReceiptRequest(server, orderNumber, nil)
	}, opts)
}

// Redeem uses up entitlements of the order orderNumber's receipt: all of
// them (RedeemAll) or the units params names (RedeemReceipt, POST
// /v1/receipts/{orderNumber}/redeem). Like a create it carries one
// Idempotency-Key for all its attempts, so a retry, the client's or yours
// with the same WithIdempotencyKey, never redeems twice.
//
// It returns the receipt as the redemption left it. When Monime answers
// that it redeemed nothing (an entitlement named was already exhausted,
// and a redemption is all or nothing) it returns an error matching
// ErrNotRedeemed, a *NotRedeemedError that carries the receipt: hand
// nothing over then.
func (s *ReceiptsService) Redeem(ctx context.Context, orderNumber string, params *ReceiptRedeemParams, opts ...CallOption) (*Receipt, error) {
	if err := checkOrderNumber("Receipts.Redeem", orderNumber); err != nil {
		return nil, err
	}
	res, err := redemptions.act(ctx, clientOf(s), orderNumber, "Redeem", params, func(server string) (*http.Request, error) {
		body := gen.RedeemReceiptRequest{Metadata: sentMetadata(params.Metadata)}
		if params.RedeemAll {
			body.RedeemAll = &params.RedeemAll
		}
		if len(params.Entitlements) > 0 { // an empty list would take precedence over RedeemAll
			list := make([]struct {
				Key   string `json:"key"`
				Units *int   `json:"units,omitempty"`
			}, len(params.Entitlements))
			for i, e := range params.Entitlements {
				list[i].Key, list[i].Units = e.Key, positive(&params.Entitlements[i].Units)
			}
			body.Entitlements = &list
		}
		return gen.NewRedeemReceiptRequest(server, orderNumber, nil, body)
	}, opts)
	switch {
	case err != nil:
		return nil, err
	case !res.Redeemed:
		return nil, &NotRedeemedError{Receipt: &res.Receipt}
	}
	return &res.Receipt, nil
}

// ErrNotRedeemed matches the error of a redemption Monime refused whole:
// nothing was redeemed. See NotRedeemedError.
var ErrNotRedeemed = errors.New("monime: nothing redeemed")

// NotRedeemedError is Redeem's error when Monime answered that it
// redeemed nothing (redeem false): an entitlement named was exhausted, so
// the whole redemption was refused. Receipt is the receipt as it is, to
// show what is left. It matches ErrNotRedeemed.
type NotRedeemedError struct {
	Receipt *Receipt
}

// Error says what happened and what is left.
func (e *NotRedeemedError) Error() string {
	var left []string
	for _, en := range e.Receipt.Entitlements {
		left = append(left, fmt.Sprintf("%s: %d left", en.Key, en.Remaining))
	}
	return fmt.Sprintf("monime: Receipts.Redeem: nothing of order %s was redeemed: a redemption is all or nothing, and an entitlement named is exhausted or short (%s)",
		e.Receipt.OrderNumber, strings.Join(left, ", "))
}

// Is makes errors.Is(err, ErrNotRedeemed) true.
func (e *NotRedeemedError) Is(target error) bool { return target == ErrNotRedeemed }

// ReceiptStatus says how much of a receipt is used up. Monime may add
// values; treat unknown ones as not final.
type ReceiptStatus string

// The statuses Monime documents for receipts.
const (
	ReceiptNotRedeemed       ReceiptStatus = "not_redeemed"       // nothing used yet
	ReceiptPartiallyRedeemed ReceiptStatus = "partially_redeemed" // some used
	ReceiptFullyRedeemed     ReceiptStatus = "fully_redeemed"     // all used
)

// IsFinal reports whether the status can no longer change: fully redeemed.
func (s ReceiptStatus) IsFinal() bool { return s == ReceiptFullyRedeemed }

// Receipt is the record of a paid order and what it entitles the customer
// to.
type Receipt struct {
	// Status is not_redeemed, partially_redeemed or fully_redeemed.
	Status ReceiptStatus `json:"status"`
	// OrderName is the order's name, such as "Order #1042".
	OrderName string `json:"orderName"`
	// OrderNumber is the order's number, the receipt's id.
	OrderNumber string `json:"orderNumber"`
	// OrderAmount is what was paid.
	OrderAmount Money `json:"orderAmount"`
	// CreateTime is when the receipt was made.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed.
	UpdateTime time.Time `json:"updateTime"`
	// Entitlements are what the order entitles its holder to.
	Entitlements []ReceiptEntitlement `json:"entitlements"`
	// Metadata are key-value pairs of the receipt.
	Metadata Metadata `json:"metadata"`
}

// ReceiptEntitlement is something a receipt entitles its holder to, and
// how much of it is used.
type ReceiptEntitlement struct {
	// Key names it in a redemption (Entitlement.Key).
	Key string `json:"key"`
	// Name is what it is, such as "T-shirt".
	Name string `json:"name,omitempty"`
	// Limit is how many units the order holds.
	Limit int `json:"limit"`
	// Current is how many are used.
	Current int `json:"current"`
	// Remaining is how many are left.
	Remaining int `json:"remaining"`
	// Exhausted is true when none are left.
	Exhausted bool `json:"exhausted"`
}

// redemption is Monime's answer to a redemption: whether it redeemed, and
// the receipt as it now is.
type redemption struct {
	Redeemed bool
	Receipt  Receipt
}

// Entitlement is a number of units of one entitlement to redeem.
type Entitlement struct {
	// Key is the entitlement's key (ReceiptEntitlement.Key): 1 to 100
	// characters.
	Key string
	// Units is how many to redeem: at least 1; 0 for Monime's default, 1.
	Units int
}

// ReceiptRedeemParams is what to redeem: everything (RedeemAll) or the
// Entitlements listed.
type ReceiptRedeemParams struct {
	// RedeemAll redeems every entitlement left.
	RedeemAll bool
	// Entitlements are the units to redeem, each by its key.
	Entitlements []Entitlement
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// The limits Monime's document sets on receipts.
const (
	maxOrderNumberLen    = 20
	maxEntitlementKeyLen = 100
)

// Validate checks p against Monime's limits for the default API release.
func (p *ReceiptRedeemParams) Validate() error { return validate("Receipts.Redeem", p, APIVersion) }

func (p *ReceiptRedeemParams) check(ps *problems, apiVersion string) {
	checkReceiptRelease(ps, apiVersion)
	if !p.RedeemAll && len(p.Entitlements) == 0 {
		ps.add(field("entitlements"), "nothing to redeem; list Entitlements, or set RedeemAll")
	}
	for i, e := range p.Entitlements {
		ps.text(fieldPath{"entitlements", i, ".key"}, e.Key, maxEntitlementKeyLen, true)
		if e.Units < 0 {
			ps.add(fieldPath{"entitlements", i, ".units"}, "is %d; want at least 1, or 0 for Monime's default (1)", e.Units)
		}
	}
	validateMetadata(ps, p.Metadata)
}

// receiptQuery is Get's params: none but the release it is sent under.
type receiptQuery struct{}

func (*receiptQuery) check(ps *problems, apiVersion string) { checkReceiptRelease(ps, apiVersion) }

// checkReceiptRelease refuses a release without receipts.
func checkReceiptRelease(ps *problems, apiVersion string) {
	if apiVersion == APIVersion20250620 {
		ps.add(field("Monime-Version"), "is %s, which has no receipts: receipts arrived in API release %s; "+
			"send this call with WithAPIVersion(monime.APIVersion)", apiVersion, APIVersion)
	}
}

// checkOrderNumber checks an order number: 1 to 20 characters, not a
// path segment.
func checkOrderNumber(op, n string) error {
	var ps problems
	f := field("orderNumber")
	if n == "." || n == ".." {
		ps.add(f, "%q is a path segment, not an order number; pass a paid checkout session's OrderNumber", n)
	} else if ps.text(f, n, maxOrderNumberLen, false) && n == "" {
		ps.add(f, "required; pass a paid checkout session's OrderNumber")
	}
	return ps.err(op)
}

// receiptJSON is a receipt as Monime sends it: its order number, status
// and amount strict.
type receiptJSON struct {
	Receipt
	OrderNumber string        `json:"orderNumber" decode:"strict"`
	Status      ReceiptStatus `json:"status" decode:"strict"`
	OrderAmount moneyJSON     `json:"orderAmount" decode:"strict"`
}

// public checks the order number, status and amount.
func (w *receiptJSON) public() (*Receipt, error) {
	switch {
	case w.OrderNumber == "":
		return nil, errors.New("the orderNumber is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	r := &w.Receipt
	r.OrderNumber, r.Status = w.OrderNumber, w.Status
	var err error
	if r.OrderAmount, err = w.OrderAmount.money("the order amount"); err != nil {
		return nil, err
	}
	return r, nil
}

// redemptionJSON is a redemption as Monime sends it: whether it redeemed,
// and the receipt, both strict.
type redemptionJSON struct {
	Redeem  *bool       `json:"redeem" decode:"strict"`
	Receipt receiptJSON `json:"receipt" decode:"strict"`
}

// public checks the flag and the receipt.
func (w *redemptionJSON) public() (*redemption, error) {
	if w.Redeem == nil {
		return nil, errors.New("redeem is missing")
	}
	r, err := w.Receipt.public()
	if err != nil {
		return nil, err
	}
	return &redemption{Redeemed: *w.Redeem, Receipt: *r}, nil
}
