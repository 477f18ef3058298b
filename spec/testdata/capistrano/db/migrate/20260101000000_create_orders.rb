class CreateOrders < ActiveRecord::Migration[7.1]
  def change
    create_table :orders
  end
end
