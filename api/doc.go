// Package api is an in-memory fake of the Monime API for tests and local
// runs: tests usually reach it through package monimetest, and production
// code never imports it.
//
// It serves checkout sessions, payments, financial accounts, payouts,
// internal transfers, financial transactions, payment codes, USSD OTPs and
// receipts with the server code
// generated from spec/monime.yaml, so that it cannot drift from the
// contract.
//
// A *Server is an http.Handler: run it under httptest.NewServer (or any
// http.Server) and point a client at it. It validates every request against
// the spec with kin-openapi (400 validation_error with one detail per
// violation), checks credentials (401, 403), keeps checkout sessions per space
// with Monime's idempotency rules, pages lists with an opaque cursor, and
// answers every response with a Monime-Request-Id. With
// WithResponseValidation(true) it also validates every response it sends, so
// the fake and the spec can never disagree unnoticed.
//
// Each session's redirectUrl is a simulated hosted checkout page on the fake
// itself (HostedPagePath): it shows the line items, totals and allowed
// payment methods with their providers (mobile money first, preselected),
// and its Pay and Cancel buttons complete or cancel the session and send
// the browser to successUrl or cancelUrl. When a session is completed,
// cancelled or expires, the fake POSTs a signed checkout_session.* event to
// every URL given with WithWebhook or AddWebhook, retrying with backoff
// until the receiver answers 2xx (Deliveries, WaitForDeliveries).
//
// # Payments
//
// Paying a session records its payment, which GET /v1/payments (filtered by
// orderNumber, financialAccountId and financialTransactionReference; paged
// by limit and after), GET /v1/payments/{id} and PATCH /v1/payments/{id}
// (name and metadata) serve:
//
//   - status completed, and amount the session's total: price times
//     quantity, summed over its line items. A session whose items use
//     several currencies is paid with one payment per currency, each its
//     own total, in the order the currencies first appear, all with the
//     session's order number; a currency whose items total zero gets none.
//     A create with a negative price is refused (400); a total over 64
//     bits of minor units cannot be paid: Complete returns
//     ErrSessionNotPayable and the page offers no Pay.
//   - channel the method and provider the customer chose on the page
//     (CompleteWith in tests; Complete takes the preselected one, mobile
//     money m17 unless the session's paymentOptions rule it out): momo,
//     bank, card or wallet, with an operator-style reference, a masked
//     phone, account or wallet number or a card's last four digits, and a
//     fingerprint that is the same on every payment through the same method
//     and provider.
//   - fees from WithFee: each rule charges basis points of the amount,
//     rounded half up to a minor unit, plus a fixed part, in the payment's
//     currency. Without WithFee, fees is [] (zero fees).
//   - orderNumber of the session, financialAccountId the account it
//     settled into (see Financial accounts), a fresh
//     financialTransactionReference, ownershipGraph.owner the session, and
//     createTime and updateTime the moment of payment (PATCH moves
//     updateTime).
//
// A receiver that subscribes to payment.created and payment.completed (the
// events of WithWebhook and AddWebhook, as a Monime webhook lists the
// events it wants) gets both for each payment, before
// checkout_session.completed; one configured without events gets the
// checkout-session events only.
//
// # Financial accounts
//
// Every space starts with its main account, MainAccountID (SLE). GET and
// POST /v1/financial-accounts and GET and PATCH /v1/financial-accounts/{id}
// create, read, list (uvan, reference, withBalance, limit, after) and
// update accounts; a reference is unique in its space (409
// reference_in_use). The fake keeps books: every movement is a
// LedgerEntry, an account's balance (balance.available with withBalance)
// is the sum of its entries and is never negative, and CheckBooks checks
// that at any time. A completed checkout books each payment on the
// session's account when the currencies agree, else on the space's main
// account of the payment's currency (MainAccountID + "-usd" for USD,
// opened at its first payment): a credit of the amount and a debit per
// fee. A session naming an account its space does not have is refused
// (400). Fund credits an account for tests.
//
// # Banks, mobile money and provider KYC
//
// GET /v1/banks and GET /v1/momos (country, limit, after) and GET
// /v1/banks/{providerId} and GET /v1/momos/{providerId} serve the providers
// of the embedded data file data/providers.json, which a test holds to the
// ids Monime's document lists: banks slb001, slb004 and slb007, mobile
// money m17 and m18, and the wallet dw001, which has no list. Providers and
// ProviderByID name them for other code. GET
// /v1/provider-kyc/{providerId}?accountId= gives every account a holder,
// the same on every call, except the test accounts KYCMissingPhoneNumber,
// KYCMissingAccountNumber and KYCMissingWalletID (404). These operations
// need no Monime-Space-Id.
//
// # Payouts, internal transfers and financial transactions
//
// Money leaves only by a completed payout and moves between accounts only
// by an internal transfer (/v1/payouts, /v1/internal-transfers). A payout
// its source account (by default the space's main account for its
// currency) can cover is created pending and holds its amount and fees
// (WithPayoutFee) at once, as debits under one reference,
// source.transactionReference; one it cannot cover is created failed with
// fund_insufficient and moves nothing. CompletePayout sends the held money
// out for good and FailPayout gives it back by reversal credits, emitting
// payout.completed or payout.failed; WithPayoutDelay completes pending
// payouts on their own. A payout to a test destination fails when it would
// complete: momo phoneNumber +2327600000N, bank accountNumber 000000000N or
// wallet walletId 000000000N, where N from 1 to 7 names unknown,
// fund_insufficient, authorization_failed, provider_unknown,
// provider_account_blocked, provider_account_missing and
// provider_account_quota_exhausted (see Server.CompletePayout). Deleting a
// pending payout (DELETE, or Server.DeletePayout) gives back what it held.
// A transfer between two accounts of one space and currency completes at
// once when covered, else fails.
// Every ledger entry is served as a financial transaction
// (/v1/financial-transactions, txn-... ids), with its balance after it, its
// fee code or the transaction it reverses.
//
// # Payment codes, USSD OTPs and receipts
//
// A payment code (/v1/payment-codes) is a USSD code (*715*1*NNNNNN#) a
// payer dials to pay into a financial account: PayCode pays one as that
// payer would, from its authorizedPhoneNumber and through one of its
// authorizedProviders, making a completed payment settled through the
// ledger less fees, as a checkout payment is, and emitting
// payment.created, payment.completed and payment_code.processed, whose
// data alone carries processedPaymentData. A one_time code is completed by
// its payment, a recurrent one by its targets; live codes expire when their
// duration passes. A USSD OTP (/v1/ussd-otps) is verified by DialOTP from
// its phone before it expires. A completed checkout session's order has a
// receipt (/v1/receipts/{orderNumber}, caph.2025-08-23 only): one
// entitlement per line item, redeemed all or nothing.
//
// Tests drive the rest directly: Complete, CompleteWith, Cancel, Expire and
// Start play the customer and the clock; Fund gives an account money;
// CompletePayout, FailPayout and DeletePayout decide payouts; PayCode and
// DialOTP play the payer on a phone;
// InjectFault and WithFaultFunc make requests fail, reset, drop or slow
// down; Find and FindAll show what is stored, of any kind, including what
// the read API hides.
//
// New returns an error, not a Server, when an option was given a value that
// can never work (an empty token, a negative TTL, a relative webhook URL):
// the error names the option, says what is wrong and what to pass instead,
// and never quotes a token, secret or URL. Methods given bad arguments
// (InjectFault, AddWebhook, Complete on an unknown id) return errors too;
// nothing panics on bad input. monimetest.NewServer turns New's error into a
// test failure.
//
//	srv, err := api.New(api.WithResponseValidation(true))
//	if err != nil {
//		return err
//	}
//	defer srv.Close() // stops webhook deliveries
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	// POST ts.URL+"/v1/checkout-sessions" with
//	// "Authorization: Bearer "+api.DefaultToken and "Monime-Space-Id: "+api.DefaultSpaceID
package api
