/**
 * The intake baseline: a bare Express 5 app with the same JSON body parser, answering POST /echo with the
 * body it got (status 201, as intake answers). No database, no auth: the floor of an Express JSON request.
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '256kb' }));
app.get('/ready', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/echo', (req, res) => {
  res.status(201).json(req.body);
});
app.listen(Number(process.env.PORT), '127.0.0.1');
