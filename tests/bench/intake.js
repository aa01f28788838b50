// The benchmark's clinic server (nginx + njs): parses the posted JSON and
// answers 201 with a receipt that names the record, like a real server's
// fast path. No storage: the benchmark measures the kiosk, not a server.
function post(r) {
	var body;

	try {
		body = JSON.parse(r.requestText);
	} catch (e) {
		r.return(400, '{"error":"not JSON"}');
		return;
	}
	if (typeof body.id !== 'string') {
		r.return(422, '{"error":"no id"}');
		return;
	}
	r.headersOut['Content-Type'] = 'application/json';
	r.return(201, JSON.stringify({ id: body.id,
	    receipt: 'srv-' + body.id.slice(0, 8) }));
}

export default { post };
