// The fields of an inbound message as the channels send them (DESIGN §10: a 12345 work order, an import row, a
// review), named in Chinese for people: the import template's headers and the dead-letter desk's reasons.
export const INBOUND_FIELD_LABELS: Readonly<Record<string, string>> = Object.freeze({
  orderId: '工单编号',
  externalId: '外部编号',
  msgId: '消息编号',
  reviewId: '评价编号',
  creditCode: '统一社会信用代码',
  enterpriseName: '企业名称',
  contactName: '联系人',
  contactPhone: '联系电话',
  contactEmail: '联系邮箱',
  title: '标题',
  content: '内容',
  urgency: '紧急程度',
  receivedAt: '受理时间',
  rating: '评价',
  level: '评价等级',
  comment: '评价意见',
  serviceName: '服务事项',
  departmentName: '评价部门',
  from: '发送号码',
  text: '短信内容',
});
