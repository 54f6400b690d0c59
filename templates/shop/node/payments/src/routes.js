/** The payments API: read a payment, find an order's payment, capture a pending one. */
import { HttpError } from './http.js'

const ID = /^[0-9a-f-]{36}$/

export function createRoutes(repository) {
  return [
    {
      method: 'GET',
      path: '/payments/:id',
      handler: async ({ params }) => {
        if (!ID.test(params.id)) throw new HttpError(400, 'the payment id must be a UUID')
        const payment = await repository.findPayment(params.id)
        if (!payment) throw new HttpError(404, `no payment ${params.id}`)
        return { body: payment }
      },
    },
    {
      method: 'GET',
      path: '/payments',
      handler: async ({ query }) => {
        const orderId = query.get('orderId')
        if (!orderId || !ID.test(orderId)) throw new HttpError(400, 'pass ?orderId= with the UUID of an order')
        const payment = await repository.findPaymentOfOrder(orderId)
        if (!payment) throw new HttpError(404, `no payment for order ${orderId}`)
        return { body: payment }
      },
    },
    {
      method: 'POST',
      path: '/payments/:id/capture',
      handler: async ({ params }) => {
        if (!ID.test(params.id)) throw new HttpError(400, 'the payment id must be a UUID')
        const result = await repository.capturePayment(params.id)
        if (result.missing) throw new HttpError(404, `no payment ${params.id}`)
        if (result.conflict) throw new HttpError(409, `payment ${params.id} is ${result.conflict}, only a pending payment can be captured`)
        return { body: result.payment }
      },
    },
  ]
}
