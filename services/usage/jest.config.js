module.exports = require("../../jest.base.js").withInfrastructure(__dirname);
